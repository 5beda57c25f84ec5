import { createHmac, timingSafeEqual } from 'node:crypto';
import { mkdir, open, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { auditKeyId } from './chain.ts';

/**
 * Signed checkpoints of the audit chain, kept outside the database: one line per checkpoint, appended to a file
 * (AUDIT_CHECKPOINT_FILE, default DATA_DIR/audit-checkpoints.log) and never rewritten:
 *
 *   v1 seq=1234 head=<hash of event #1234> keyed=1 key=<key id> at=2026-03-02T15:05:00.000Z sig=<HMAC of the rest>
 *
 * `keyed` is the seq of the chain's `audit.chain_keyed` event, so legacy events cannot later be claimed to run past
 * it. The signature is HMAC-SHA-256 under the audit key, so a line cannot be forged or edited without the key.
 */

export interface Checkpoint {
  seq: number;
  head: string;
  keyedFrom: number;
  at: string;
  file: string;
  line: number;
}

export interface CheckpointFileRead {
  file: string;
  exists: boolean;
  /** Lines signed with this key, in file order. */
  checkpoints: Checkpoint[];
  /** Lines that are well formed but name another key. */
  otherKey: number;
  /** Lines that are malformed or whose signature does not hold: forged or edited. */
  bad: { line: number; reason: string }[];
}

const LINE =
  /^v1 seq=(\d{1,15}) head=([0-9a-f]{64}) keyed=(\d{1,15}) key=([0-9a-f]{16}) at=(\d{4}-\d\d-\d\dT[\d:.]+Z) sig=([0-9a-f]{64})$/;

function signature(key: Buffer, body: string): string {
  return createHmac('sha256', key).update(`relief audit checkpoint\n${body}`).digest('hex');
}

/** One checkpoint line, newline included. */
export function checkpointLine(
  key: Buffer,
  point: { seq: number; head: string; keyedFrom: number; at: number },
): string {
  const body = `v1 seq=${point.seq} head=${point.head} keyed=${point.keyedFrom} key=${auditKeyId(key)} at=${new Date(point.at).toISOString()}`;
  return `${body} sig=${signature(key, body)}\n`;
}

/** Reads a checkpoint file and checks every line's signature; a missing file reads as empty (`exists: false`). */
export async function readCheckpoints(file: string, key: Buffer): Promise<CheckpointFileRead> {
  const read: CheckpointFileRead = { file, exists: true, checkpoints: [], otherKey: 0, bad: [] };
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as { code?: string }).code === 'ENOENT') return { ...read, exists: false };
    throw err;
  }
  const keyId = auditKeyId(key);
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  lines.forEach((text, i) => {
    const line = i + 1;
    const match = LINE.exec(text);
    if (!match) {
      read.bad.push({ line, reason: 'is not a checkpoint line' });
      return;
    }
    const [, seq, head, keyedFrom, lineKey, at, sig] = match as unknown as string[];
    if (lineKey !== keyId) {
      read.otherKey += 1;
      return;
    }
    const expected = Buffer.from(signature(key, text.slice(0, text.lastIndexOf(' sig='))), 'hex');
    if (!timingSafeEqual(expected, Buffer.from(sig!, 'hex'))) {
      read.bad.push({ line, reason: 'has a signature that does not hold (forged or edited)' });
      return;
    }
    read.checkpoints.push({ seq: Number(seq), head: head!, keyedFrom: Number(keyedFrom), at: at!, file, line });
  });
  return read;
}

/**
 * The newest checkpoint signed with this key, from the file's last few lines, and whether the file ends mid-line (a
 * write cut short by a crash), so the next line starts on a line of its own.
 */
export async function lastCheckpoint(
  file: string,
  key: Buffer,
): Promise<{ last: Checkpoint | undefined; endsMidLine: boolean }> {
  let handle;
  try {
    handle = await open(file, 'r');
  } catch (err) {
    if ((err as { code?: string }).code === 'ENOENT') return { last: undefined, endsMidLine: false };
    throw err;
  }
  try {
    const { size } = await handle.stat();
    const length = Math.min(size, 4096);
    const buffer = Buffer.alloc(length);
    await handle.read(buffer, 0, length, size - length);
    const text = buffer.toString('utf8');
    const endsMidLine = length > 0 && !text.endsWith('\n');
    const keyId = auditKeyId(key);
    for (const line of text.split('\n').reverse()) {
      const match = LINE.exec(line);
      if (!match || match[4] !== keyId) continue;
      if (signature(key, line.slice(0, line.lastIndexOf(' sig='))) !== match[6]) continue;
      return {
        last: { seq: Number(match[1]), head: match[2]!, keyedFrom: Number(match[3]), at: match[5]!, file, line: 0 },
        endsMidLine,
      };
    }
    return { last: undefined, endsMidLine };
  } finally {
    await handle.close();
  }
}

/** Appends one line and makes it durable (fsync) before returning. Off the request path: the schedule calls it. */
export async function appendCheckpoint(file: string, line: string): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  const handle = await open(file, 'a', 0o600);
  try {
    await handle.write(line);
    await handle.sync();
  } finally {
    await handle.close();
  }
}
