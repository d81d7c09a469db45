-- Row-level security: a second wall behind the tenant-bound client (src/db/row-security.ts).
-- Written by hand: the Prisma schema language has no policies. Enabling RLS changes nothing for the
-- owner of the tables (the role migrations and a default deployment connect as), it applies to the role
-- switchboard_app, which the app becomes on every connection when ROW_LEVEL_SECURITY=on.

-- The role switchboard_app and its grants are set up by the app at start when ROW_LEVEL_SECURITY=on
-- (src/db/row-security-grants.ts): a migration has no business creating cluster-wide roles.

ALTER TABLE "User" ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON "User"
  USING ("tenantId" = NULLIF(current_setting('switchboard.tenant_id', true), '')::uuid)
  WITH CHECK ("tenantId" = NULLIF(current_setting('switchboard.tenant_id', true), '')::uuid);

ALTER TABLE "Group" ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON "Group"
  USING ("tenantId" = NULLIF(current_setting('switchboard.tenant_id', true), '')::uuid)
  WITH CHECK ("tenantId" = NULLIF(current_setting('switchboard.tenant_id', true), '')::uuid);

ALTER TABLE "GroupMember" ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON "GroupMember"
  USING ("tenantId" = NULLIF(current_setting('switchboard.tenant_id', true), '')::uuid)
  WITH CHECK ("tenantId" = NULLIF(current_setting('switchboard.tenant_id', true), '')::uuid);

ALTER TABLE "Conversation" ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON "Conversation"
  USING ("tenantId" = NULLIF(current_setting('switchboard.tenant_id', true), '')::uuid)
  WITH CHECK ("tenantId" = NULLIF(current_setting('switchboard.tenant_id', true), '')::uuid);

ALTER TABLE "Participant" ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON "Participant"
  USING ("tenantId" = NULLIF(current_setting('switchboard.tenant_id', true), '')::uuid)
  WITH CHECK ("tenantId" = NULLIF(current_setting('switchboard.tenant_id', true), '')::uuid);

ALTER TABLE "ConversationGroup" ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON "ConversationGroup"
  USING ("tenantId" = NULLIF(current_setting('switchboard.tenant_id', true), '')::uuid)
  WITH CHECK ("tenantId" = NULLIF(current_setting('switchboard.tenant_id', true), '')::uuid);

ALTER TABLE "Message" ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON "Message"
  USING ("tenantId" = NULLIF(current_setting('switchboard.tenant_id', true), '')::uuid)
  WITH CHECK ("tenantId" = NULLIF(current_setting('switchboard.tenant_id', true), '')::uuid);

ALTER TABLE "MessageRevision" ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON "MessageRevision"
  USING ("tenantId" = NULLIF(current_setting('switchboard.tenant_id', true), '')::uuid)
  WITH CHECK ("tenantId" = NULLIF(current_setting('switchboard.tenant_id', true), '')::uuid);

ALTER TABLE "ConversationEvent" ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON "ConversationEvent"
  USING ("tenantId" = NULLIF(current_setting('switchboard.tenant_id', true), '')::uuid)
  WITH CHECK ("tenantId" = NULLIF(current_setting('switchboard.tenant_id', true), '')::uuid);

ALTER TABLE "Notification" ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON "Notification"
  USING ("tenantId" = NULLIF(current_setting('switchboard.tenant_id', true), '')::uuid)
  WITH CHECK ("tenantId" = NULLIF(current_setting('switchboard.tenant_id', true), '')::uuid);

ALTER TABLE "NotificationPreference" ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON "NotificationPreference"
  USING ("tenantId" = NULLIF(current_setting('switchboard.tenant_id', true), '')::uuid)
  WITH CHECK ("tenantId" = NULLIF(current_setting('switchboard.tenant_id', true), '')::uuid);

ALTER TABLE "WebhookEndpoint" ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON "WebhookEndpoint"
  USING ("tenantId" = NULLIF(current_setting('switchboard.tenant_id', true), '')::uuid)
  WITH CHECK ("tenantId" = NULLIF(current_setting('switchboard.tenant_id', true), '')::uuid);

ALTER TABLE "WebhookDelivery" ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON "WebhookDelivery"
  USING ("tenantId" = NULLIF(current_setting('switchboard.tenant_id', true), '')::uuid)
  WITH CHECK ("tenantId" = NULLIF(current_setting('switchboard.tenant_id', true), '')::uuid);
