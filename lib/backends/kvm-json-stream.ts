/**
 * The wire format shared by QMP and the QEMU guest agent: one JSON object per line, and (guest agent
 * only) a 0xFF byte in front of the reply to `guest-sync-delimited`. Pure, no I/O: the clients feed it
 * socket chunks, the tests feed it recorded transcripts.
 */

/** One thing found in the byte stream. */
export type WireItem =
  /** a complete line that parsed as JSON; `raw` is the line without its line ending */
  | { kind: 'message'; value: unknown; raw: string }
  /** the guest agent's 0xFF sentinel: what follows answers a `guest-sync-delimited` */
  | { kind: 'delimiter' }
  /** a complete line that is not JSON (noise after a reset, a half-written reply from a killed agent) */
  | { kind: 'garbage'; raw: string };

const NEWLINE = 0x0a;
const DELIMITER = 0xff;

/**
 * Splits a byte stream into JSON lines. Works on bytes, not strings, so a multi-byte UTF-8 character
 * split across two socket reads survives, and the 0xFF sentinel (never valid UTF-8) is seen as such.
 */
export class JsonLineDecoder {
  #pending: Buffer = Buffer.alloc(0);

  /** Feeds one chunk; returns the items it completed, in stream order. */
  push(chunk: Uint8Array): WireItem[] {
    const items: WireItem[] = [];
    let buffer = this.#pending.length === 0 ? Buffer.from(chunk) : Buffer.concat([this.#pending, chunk]);
    for (;;) {
      const delimiter = buffer.indexOf(DELIMITER);
      const newline = buffer.indexOf(NEWLINE);
      if (delimiter !== -1 && (newline === -1 || delimiter < newline)) {
        // bytes before the sentinel are an unterminated fragment the agent gave up on
        const before = buffer.subarray(0, delimiter);
        if (before.toString('utf8').trim() !== '') items.push({ kind: 'garbage', raw: before.toString('utf8') });
        items.push({ kind: 'delimiter' });
        buffer = buffer.subarray(delimiter + 1);
        continue;
      }
      if (newline === -1) break;
      const line = buffer.subarray(0, newline).toString('utf8').replace(/\r$/, '');
      buffer = buffer.subarray(newline + 1);
      if (line.trim() === '') continue;
      items.push(decodeLine(line));
    }
    this.#pending = Buffer.from(buffer);
    return items;
  }

  /** Bytes received after the last complete line. */
  get pendingBytes(): number {
    return this.#pending.length;
  }
}

function decodeLine(line: string): WireItem {
  try {
    return { kind: 'message', value: JSON.parse(line) as unknown, raw: line };
  } catch {
    return { kind: 'garbage', raw: line };
  }
}

/** Decodes a whole recorded transcript at once. */
export function decodeJsonLines(bytes: Uint8Array): WireItem[] {
  const decoder = new JsonLineDecoder();
  const items = decoder.push(bytes);
  if (decoder.pendingBytes > 0) items.push(...decoder.push(Buffer.from('\n')));
  return items;
}

/** Narrowing helper: a plain JSON object. */
export function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
