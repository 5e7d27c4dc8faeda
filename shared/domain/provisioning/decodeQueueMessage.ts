/** Azure Storage refuses queue messages over 64 KiB; nothing longer is a message of ours. */
export const MAX_QUEUE_MESSAGE_BYTES = 64 * 1024;

/** A queue message as JSON, or why it is none; `text` is the message as received (for the poison queue). */
export type DecodedQueueMessage =
  { ok: true; value: unknown; text: string } | { ok: false; reason: string; text: string };

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * A `provisioning-requests` message: JSON, base64-encoded as the Functions queue trigger expects by
 * default, or plain JSON. The host may hand the trigger text (a base64 message, read with
 * `messageEncoding: none`) or an object it already parsed from JSON text; both are taken here.
 */
export function decodeQueueMessage(message: unknown): DecodedQueueMessage {
  if (message instanceof Uint8Array) return decodeText(Buffer.from(message).toString('utf8'));
  if (typeof message === 'string') return decodeText(message);
  if (typeof message === 'object' && message !== null)
    return { ok: true, value: message, text: JSON.stringify(message) };
  const text = JSON.stringify(message) ?? String(message);
  return { ok: false, reason: `expected a JSON object (plain or base64-encoded), received ${text}`, text };
}

function decodeText(text: string): DecodedQueueMessage {
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > MAX_QUEUE_MESSAGE_BYTES)
    return {
      ok: false,
      reason: `the message is ${bytes} bytes, more than a queue message holds (${MAX_QUEUE_MESSAGE_BYTES})`,
      text,
    };
  const trimmed = text.trim();
  if (trimmed === '')
    return { ok: false, reason: 'the message is empty; expected a JSON object (plain or base64-encoded)', text };
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) return parseJson(trimmed, 'plain JSON', text);
  // `base64` wraps its output every 76 characters: line breaks inside are no error.
  const base64 = trimmed.replace(/\s+/g, '');
  if (!BASE64.test(base64))
    return {
      ok: false,
      reason: `the message is neither JSON nor base64 (received '${preview(trimmed)}'); send the job request as JSON, base64-encoded`,
      text,
    };
  const decoded = Buffer.from(base64, 'base64').toString('utf8');
  if (!decoded.trim().startsWith('{'))
    return { ok: false, reason: `the base64 message decodes to '${preview(decoded)}', not a JSON object`, text };
  return parseJson(decoded.trim(), 'base64-encoded JSON', text);
}

function parseJson(json: string, what: string, text: string): DecodedQueueMessage {
  try {
    const value: unknown = JSON.parse(json);
    if (typeof value !== 'object' || value === null || Array.isArray(value))
      return { ok: false, reason: `the message is ${what} but not an object (received '${preview(json)}')`, text };
    return { ok: true, value, text };
  } catch (e) {
    return {
      ok: false,
      reason: `the message is not valid ${what}: ${e instanceof Error ? e.message : String(e)}`,
      text,
    };
  }
}

/** The start of a text, on one line, for a reason an operator reads. */
const preview = (text: string) => {
  const line = text.replace(/\s+/g, ' ');
  return line.length > 60 ? `${line.slice(0, 60)}...` : line;
};
