// The outbox worker's task list: which module handles which job. Every handler is idempotent
// (graphile-worker runs a job at least once).
import type { Task } from 'graphile-worker'
import type { AppServices } from './context.js'
import { OUTBOX_EVENT_TASK } from './outbox/enqueue.js'
import type { OutboxEvent } from './outbox/events.js'
import { deliverWebhook, fanOutWebhooks, WEBHOOK_DELIVER_TASK, type DeliverJob } from './modules/webhooks/dispatch.js'
import {
  NOTIFY_UNREAD_MESSAGE_TASK,
  notifyUnreadMessage,
  scheduleNotificationRules,
  type UnreadMessageJob,
} from './modules/notifications/rules.js'

export function outboxTasks(app: AppServices): Record<string, Task> {
  return {
    [OUTBOX_EVENT_TASK]: async (payload) => {
      const event = payload as OutboxEvent
      await fanOutWebhooks(app, event)
      await scheduleNotificationRules(app, event)
    },
    [WEBHOOK_DELIVER_TASK]: (payload) => deliverWebhook(app, payload as DeliverJob),
    [NOTIFY_UNREAD_MESSAGE_TASK]: (payload) => notifyUnreadMessage(app, payload as UnreadMessageJob),
  }
}
