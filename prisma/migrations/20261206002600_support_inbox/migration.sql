-- CreateEnum
CREATE TYPE "ReplyPolicy" AS ENUM ('ASSIGNEE_ONLY', 'ANY_OPERATOR');

-- AlterEnum
-- This migration adds more than one value to an enum.
-- With PostgreSQL versions 11 and earlier, this is not possible
-- in a single migration. This can be worked around by creating
-- multiple migrations, each migration adding only one value to
-- the enum.


ALTER TYPE "ConversationEventType" ADD VALUE 'CONVERSATION_ASSIGNED';
ALTER TYPE "ConversationEventType" ADD VALUE 'CONVERSATION_TRANSFERRED';
ALTER TYPE "ConversationEventType" ADD VALUE 'CONVERSATION_STATUS_CHANGED';

-- AlterEnum
ALTER TYPE "ConversationStatus" ADD VALUE 'PENDING';

-- AlterTable
ALTER TABLE "Conversation" ADD COLUMN     "assigneeId" UUID,
ADD COLUMN     "lastPublicMessageId" UUID,
ADD COLUMN     "waitingSince" TIMESTAMP(3);

-- AlterTable
ALTER TABLE "ConversationEvent" ADD COLUMN     "groupId" UUID,
ADD COLUMN     "internal" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "override" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "status" "ConversationStatus";

-- AlterTable
ALTER TABLE "Message" ADD COLUMN     "internal" BOOLEAN NOT NULL DEFAULT false;

-- AlterTable
ALTER TABLE "Tenant" ADD COLUMN     "operatorCapacity" INTEGER,
ADD COLUMN     "replyPolicy" "ReplyPolicy" NOT NULL DEFAULT 'ASSIGNEE_ONLY',
ADD COLUMN     "unassignOnReopen" BOOLEAN NOT NULL DEFAULT false;

-- CreateIndex
CREATE UNIQUE INDEX "Conversation_lastPublicMessageId_key" ON "Conversation"("lastPublicMessageId");

-- CreateIndex
CREATE INDEX "Conversation_tenantId_assigneeId_status_idx" ON "Conversation"("tenantId", "assigneeId", "status");

-- AddForeignKey
ALTER TABLE "Conversation" ADD CONSTRAINT "Conversation_lastPublicMessageId_fkey" FOREIGN KEY ("lastPublicMessageId") REFERENCES "Message"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Conversation" ADD CONSTRAINT "Conversation_assigneeId_fkey" FOREIGN KEY ("assigneeId") REFERENCES "User"("id") ON DELETE SET NULL ON UPDATE CASCADE;


-- Data: every message before this migration is public.
UPDATE "Conversation" SET "lastPublicMessageId" = "lastMessageId" WHERE "lastMessageId" IS NOT NULL;
