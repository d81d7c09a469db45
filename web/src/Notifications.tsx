// The notifications menu: the viewer's notifications, live, with the unread count; opening the list marks them read.
import { useState } from 'react'
import { useNotifications } from '@switchboard/client/react'

export function Notifications() {
  const { items: notifications, unreadCount, markRead } = useNotifications()
  const [open, setOpen] = useState(false)
  return (
    <div className="bell">
      <button
        type="button"
        aria-expanded={open}
        aria-label={`Notifications (${unreadCount} unread)`}
        data-testid="notifications"
        onClick={() => {
          setOpen(!open)
          if (!open && unreadCount > 0) void markRead()
        }}
      >
        Notifications {unreadCount > 0 && <span className="badge">{unreadCount}</span>}
      </button>
      {open && (
        <ul className="notification-list">
          {notifications.length === 0 && <li>No notifications</li>}
          {notifications.map((n) => (
            <li key={n.id} className={n.readAt ? 'read' : 'unread'}>
              <strong>{n.title}</strong>
              {n.body && <span> — {n.body}</span>}
            </li>
          ))}
        </ul>
      )}
    </div>
  )
}
