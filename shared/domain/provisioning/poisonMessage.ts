/** Where a refused request came from: a queue message, or a blob. */
export type PoisonSource =
  { queue: string; messageId?: string; dequeueCount?: number } | { blob: string; etag?: string };

/**
 * What lands in `provisioning-requests-poison` for a request that starts no job: the reason (naming
 * the field or line at fault), when, where from, and the message as received (a blob stays where it
 * was uploaded). A JSON envelope, since the Functions host's own poison move carries no reason.
 */
export interface PoisonMessage {
  reason: string;
  failedDateTime: string;
  source: PoisonSource;
  originalMessage?: string;
  /** Set when `originalMessage` holds only the start of the message, so the envelope fits a queue message. */
  originalMessageTruncated?: true;
}

/** Of the original message, this much is kept: the envelope must fit a 64 KiB queue message. */
export const MAX_ORIGINAL_MESSAGE_CHARS = 32 * 1024;
const MAX_REASON_CHARS = 4 * 1024;

/** The poison envelope for a refused request, with the original message cut to fit. */
export function poisonMessage(input: {
  reason: string;
  source: PoisonSource;
  now: Date;
  originalMessage?: string;
}): PoisonMessage {
  const reason =
    input.reason.length > MAX_REASON_CHARS ? `${input.reason.slice(0, MAX_REASON_CHARS)}...` : input.reason;
  const envelope: PoisonMessage = { reason, failedDateTime: input.now.toISOString(), source: input.source };
  if (input.originalMessage === undefined) return envelope;
  if (input.originalMessage.length <= MAX_ORIGINAL_MESSAGE_CHARS)
    return { ...envelope, originalMessage: input.originalMessage };
  return {
    ...envelope,
    originalMessage: input.originalMessage.slice(0, MAX_ORIGINAL_MESSAGE_CHARS),
    originalMessageTruncated: true,
  };
}
