/**
 * The backup file. A small header in the clear says what the file holds (and is authenticated); the content follows,
 * encrypted with AES-256-GCM unless the backup was made with --plain.
 *
 *   "RELIEFBK" | u32 header size H | header JSON padded with spaces to H bytes | body | trailer
 *   trailer, encrypted: the GCM tag of the body (16 bytes), then an HMAC-SHA-256 of everything before the body (32)
 *   trailer, plain:     a SHA-256 of everything before the body (32)
 *   body, decrypted:    u32 secret length | the secret (UTF-8, when asked for) | the database
 *
 * The database is SQLite's file (an online snapshot) or pg_dump's custom-format archive. The header's SHA-256 covers
 * the whole decrypted body. The header is written last (at its reserved place), so the file is written in one pass.
 */
import {
  createCipheriv,
  createDecipheriv,
  createHash,
  createHmac,
  hkdfSync,
  randomBytes,
  scrypt,
  timingSafeEqual,
  type Hash,
} from 'node:crypto';
import { open, rename, unlink, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { z } from 'zod';
import type { Engine } from '../db/database.ts';

/** A refusal or failure an operator can act on, said in one line (the CLI prints it; the scheduler shows it). */
export class BackupError extends Error {
  override name = 'BackupError';
}

export const FORMAT_VERSION = 1;
const MAGIC = Buffer.from('RELIEFBK', 'latin1');
const HEADER_SLOT = 8192;
const PREFIX = MAGIC.length + 4;
const TAG_BYTES = 16;
const MAC_BYTES = 32;
/** Bytes a read or a write takes at a time. */
const CHUNK = 1 << 20;
/** Reads under way ahead of the chunk being worked on, and batches being written behind it. */
const READ_AHEAD = 2;
const WRITES_IN_FLIGHT = 2;
/** A backup file is synced every so many bytes as it is written (see positionalWriter). */
const SYNC_EVERY = 32 << 20;
/** scrypt's cost for a passphrase: 2^15 × 8 × 128 bytes = 32 MiB of memory and ~0.1 s per backup. */
const SCRYPT = { N: 1 << 15, r: 8, p: 1 } as const;

export interface BackupKeys {
  /** 64 hex characters (BACKUP_KEY). */
  key?: string | undefined;
  /** Any passphrase of 12 characters or more (BACKUP_PASSPHRASE), stretched with scrypt. */
  passphrase?: string | undefined;
}

const encryptionSchema = z.object({
  cipher: z.literal('aes-256-gcm'),
  kdf: z.enum(['key', 'scrypt']),
  salt: z.string(),
  iv: z.string(),
  keyCheck: z.string(),
  scrypt: z.object({ N: z.number().int(), r: z.number().int(), p: z.number().int() }).optional(),
});

const headerSchema = z.object({
  format: z.number().int(),
  app: z.literal('relief'),
  engine: z.enum(['sqlite', 'postgres']),
  /** The migrations applied to the database when it was backed up: how many, and the newest. */
  schema: z.object({ version: z.number().int(), latest: z.string() }),
  createdAt: z.string(),
  /** Length and SHA-256 (hex) of the decrypted body. */
  bytes: z.number().int().nonnegative(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  /** Rows per table, counted in the same snapshot as the backup. */
  tables: z.record(z.string(), z.number().int().nonnegative()),
  /** Whether the body carries the secret that signs links (relief backup --with-secret). */
  secret: z.boolean(),
  /** PostgreSQL: the schema the database lived in (a restore moves it into the target's). */
  postgresSchema: z.string().optional(),
  encryption: encryptionSchema.nullable(),
});

export type BackupHeader = z.infer<typeof headerSchema>;
type Encryption = z.infer<typeof encryptionSchema>;

/** What the maker knows before the content is written. */
export interface BackupMeta {
  engine: Engine;
  schema: { version: number; latest: string };
  createdAt: Date;
  tables: Record<string, number>;
  /** The secret, when the operator asked for it to be included. */
  secret: string | undefined;
  postgresSchema?: string | undefined;
}

interface DerivedKeys {
  enc: Buffer;
  mac: Buffer;
  check: string;
}

function derive(master: Buffer, salt: Buffer): DerivedKeys {
  const sub = (info: string) => Buffer.from(hkdfSync('sha256', master, salt, `relief backup v1 ${info}`, 32));
  return {
    enc: sub('encryption'),
    mac: sub('header'),
    check: createHmac('sha256', sub('check')).update('relief backup key check').digest('hex').slice(0, 32),
  };
}

async function masterKey(keys: BackupKeys, kdf: 'key' | 'scrypt', salt: Buffer): Promise<Buffer> {
  if (kdf === 'key') return Buffer.from(keys.key!, 'hex');
  return new Promise((resolve, reject) =>
    scrypt(keys.passphrase!, salt, 32, { ...SCRYPT, maxmem: 64 * 1024 * 1024 }, (err, key) =>
      err ? reject(err) : resolve(key),
    ),
  );
}

/** Whether a backup can be encrypted with these settings. */
export const hasKey = (keys: BackupKeys): boolean => Boolean(keys.key || keys.passphrase);

export interface WriteResult {
  header: BackupHeader;
  /** Size of the file written. */
  fileBytes: number;
}

/**
 * The body's plaintext, chunk by chunk in order. A source may reuse a chunk's memory once the next one is asked for
 * (fileChunks does), so a consumer is done with a chunk before it asks for the next.
 */
export type BodySource = AsyncIterable<Buffer>;

/**
 * `work`, marked as handled: a failure is still thrown where it is awaited, later, but is not an unhandled rejection
 * (which would end the process) if it comes before that.
 */
function later<T>(work: Promise<T>): Promise<T> {
  work.catch(() => {});
  return work;
}

/**
 * A file's bytes (from `start` to `end`) in CHUNK-sized reads into a few buffers used over and over, the next reads
 * already under way while a chunk is worked on.
 */
export async function* fileChunks(path: string, start = 0, end = Infinity): BodySource {
  const file = await open(path, 'r');
  const buffers = Array.from({ length: READ_AHEAD + 1 }, () => Buffer.allocUnsafeSlow(CHUNK));
  let position = start;
  const read = async (buffer: Buffer) => {
    const length = Math.min(CHUNK, end - position);
    if (length <= 0) return { bytes: buffer.subarray(0, 0), short: false };
    const at = position;
    position += length;
    const { bytesRead } = await file.read(buffer, 0, length, at);
    return { bytes: buffer.subarray(0, bytesRead), short: bytesRead < length };
  };
  const reads = buffers.slice(0, READ_AHEAD).map((buffer) => later(read(buffer)));
  let ended = false;
  try {
    for (let i = READ_AHEAD; ; i++) {
      const { bytes, short } = await reads.shift()!;
      if (bytes.length === 0) return;
      // Reads are placed ahead, so only the one that meets the end of the file may come back short.
      if (ended) throw new Error(`${path} changed while it was read (a short read before its end)`);
      ended = short;
      // Into the buffer of the chunk before this one: its consumer has finished with it, having asked for this one.
      reads.push(later(read(buffers[i % buffers.length]!)));
      yield bytes;
    }
  } finally {
    await Promise.allSettled(reads);
    await file.close();
  }
}

/**
 * Positional writes into `file` from `at` on, in batches of about CHUNK bytes with WRITES_IN_FLIGHT of them under way
 * while the caller works on the next; every SYNC_EVERY bytes the file is synced in the background, so that the disk
 * writes while the rest is produced instead of all at the final fsync (and dirty memory stays bounded).
 */
function positionalWriter(file: FileHandle, at: number) {
  let position = at;
  let batch: Buffer[] = [];
  let batched = 0;
  let unsynced = 0;
  const writing: Promise<unknown>[] = [];
  let syncing: Promise<void> = Promise.resolve();
  const flush = async () => {
    if (!batched) return;
    writing.push(later(file.writev(batch, position)));
    position += batched;
    unsynced += batched;
    batch = [];
    batched = 0;
    if (writing.length >= WRITES_IN_FLIGHT) await writing.shift();
    if (unsynced >= SYNC_EVERY) {
      unsynced = 0;
      await syncing;
      syncing = later(file.datasync());
    }
  };
  return {
    /** Queues `bytes`, which must not change afterwards; resolves when the caller may go on. */
    async write(bytes: Buffer) {
      if (!bytes.length) return;
      batch.push(bytes);
      batched += bytes.length;
      if (batched >= CHUNK) await flush();
    },
    /** Everything queued is written (not yet synced). */
    async end() {
      await flush();
      await Promise.all([...writing, syncing]);
    },
    /** Waits for whatever is under way, failed or not (before the file is closed on a failure). */
    settle: () => Promise.allSettled([...writing, syncing]),
  };
}

/**
 * Writes a backup file at `path` (through `path.partial`, renamed when complete and synced). `database` is the
 * database's content; `keys` null writes a plain backup. `onBytes` is told the body bytes written so far.
 *
 * One pass over the content: each chunk is hashed (SHA-256, for the header) and encrypted as it comes, and the
 * encrypted bytes are written while the next chunk is read and encrypted.
 */
export async function writeBackupFile(
  path: string,
  meta: BackupMeta,
  database: BodySource,
  keys: BackupKeys | null,
  onBytes?: (done: number) => void,
): Promise<WriteResult> {
  let encryption: Encryption | null = null;
  let derived: DerivedKeys | undefined;
  let iv: Buffer | undefined;
  if (keys) {
    const kdf = keys.key ? 'key' : 'scrypt';
    const salt = randomBytes(16);
    iv = randomBytes(12);
    derived = derive(await masterKey(keys, kdf, salt), salt);
    encryption = {
      cipher: 'aes-256-gcm',
      kdf,
      salt: salt.toString('base64'),
      iv: iv.toString('base64'),
      keyCheck: derived.check,
      ...(kdf === 'scrypt' ? { scrypt: { ...SCRYPT } } : {}),
    };
  }
  const partial = `${path}.partial`;
  const file = await open(partial, 'wx', 0o600);
  let completed = false;
  const start = Buffer.alloc(PREFIX + HEADER_SLOT, 0x20);
  const body = positionalWriter(file, start.length);
  try {
    MAGIC.copy(start, 0);
    start.writeUInt32BE(HEADER_SLOT, MAGIC.length);
    await file.write(start, 0, start.length, 0);

    const hash = createHash('sha256');
    const cipher = derived && iv ? createCipheriv('aes-256-gcm', derived.enc, iv) : undefined;
    const secret = Buffer.from(meta.secret ?? '', 'utf8');
    const lead = Buffer.alloc(4 + secret.length);
    lead.writeUInt32BE(secret.length, 0);
    secret.copy(lead, 4);
    let bytes = 0;
    const seal = async (chunk: Buffer) => {
      hash.update(chunk);
      bytes += chunk.length;
      // A plain backup writes the chunk itself: a copy, as the source may reuse its memory.
      await body.write(cipher ? cipher.update(chunk) : Buffer.from(chunk));
    };
    await seal(lead);
    for await (const chunk of database) {
      await seal(chunk);
      onBytes?.(bytes);
    }
    if (cipher) cipher.final();
    await body.end();

    const header: BackupHeader = {
      format: FORMAT_VERSION,
      app: 'relief',
      engine: meta.engine,
      schema: meta.schema,
      createdAt: meta.createdAt.toISOString(),
      bytes,
      sha256: hash.digest('hex'),
      tables: meta.tables,
      secret: meta.secret !== undefined,
      ...(meta.postgresSchema !== undefined ? { postgresSchema: meta.postgresSchema } : {}),
      encryption,
    };
    const json = Buffer.from(JSON.stringify(header), 'utf8');
    if (json.length > HEADER_SLOT) throw new Error(`backup header too large (${json.length} bytes)`);
    json.copy(start, PREFIX);
    await file.write(start, 0, start.length, 0);
    const trailer =
      cipher && derived
        ? Buffer.concat([cipher.getAuthTag(), createHmac('sha256', derived.mac).update(start).digest()])
        : createHash('sha256').update(start).digest();
    const end = start.length + bytes;
    await file.write(trailer, 0, trailer.length, end);
    await file.sync();
    await file.close();
    await rename(partial, path);
    await syncFolder(dirname(path));
    completed = true;
    return { header, fileBytes: end + trailer.length };
  } finally {
    if (!completed) {
      await body.settle();
      await file.close().catch(() => {});
      await unlink(partial).catch(() => {});
    }
  }
}

/** Makes a rename durable: the folder's entry is synced too. */
export async function syncFolder(dir: string): Promise<void> {
  const handle = await open(dir, 'r').catch(() => undefined);
  if (!handle) return;
  await handle.sync().catch(() => {});
  await handle.close();
}

/** A backup file whose header has been read and authenticated; its body is checked as it is read. */
export interface OpenedBackup {
  path: string;
  header: BackupHeader;
  fileBytes: number;
  bodyStart: number;
  keys: DerivedKeys | undefined;
  tag: Buffer | undefined;
}

const damaged = (path: string, what: string) =>
  new BackupError(`${path} is damaged or has been edited: ${what}. Use another copy of the backup.`);

/**
 * Reads and authenticates a backup's header: refuses (BackupError, one line) a file that is not a Relief backup, is
 * cut short, was edited, or is encrypted with another key than `keys`.
 */
export async function openBackup(path: string, keys: BackupKeys): Promise<OpenedBackup> {
  let file: FileHandle;
  try {
    file = await open(path, 'r');
  } catch (err) {
    throw new BackupError(`cannot read ${path} (${(err as { code?: string }).code ?? 'error'}).`);
  }
  try {
    const info = await file.stat();
    if (!info.isFile()) throw new BackupError(`${path} is not a file.`);
    const size = info.size;
    const prefix = Buffer.alloc(PREFIX);
    await file.read(prefix, 0, PREFIX, 0);
    if (size < PREFIX || !prefix.subarray(0, MAGIC.length).equals(MAGIC))
      throw new BackupError(`${path} is not a Relief backup (it does not start like one).`);
    const slot = prefix.readUInt32BE(MAGIC.length);
    if (slot > 1 << 20 || size < PREFIX + slot) throw damaged(path, 'its header is cut short');
    const start = Buffer.alloc(PREFIX + slot);
    await file.read(start, 0, start.length, 0);
    let parsed: unknown;
    try {
      parsed = JSON.parse(start.subarray(PREFIX).toString('utf8'));
    } catch {
      throw damaged(path, 'its header cannot be read');
    }
    const format = (parsed as { format?: unknown } | null)?.format;
    if (typeof format === 'number' && format > FORMAT_VERSION)
      throw new BackupError(
        `${path} was written by a newer Relief (backup format ${format}; this one reads format ${FORMAT_VERSION}). Restore it with that version or newer.`,
      );
    const result = headerSchema.safeParse(parsed);
    if (!result.success) throw damaged(path, 'its header is not valid');
    const header = result.data;

    const trailerBytes = header.encryption ? TAG_BYTES + MAC_BYTES : MAC_BYTES;
    const expected = start.length + header.bytes + trailerBytes;
    if (size !== expected)
      throw new BackupError(
        `${path} is ${size < expected ? 'truncated' : 'longer than it should be'} or has been edited (${expected} bytes expected, ${size} found). Use another copy of the backup.`,
      );
    const trailer = Buffer.alloc(trailerBytes);
    await file.read(trailer, 0, trailerBytes, size - trailerBytes);

    if (!header.encryption) {
      const sum = createHash('sha256').update(start).digest();
      if (!timingSafeEqual(sum, trailer)) throw damaged(path, 'its header does not match its checksum');
      return { path, header, fileBytes: size, bodyStart: start.length, keys: undefined, tag: undefined };
    }
    const enc = header.encryption;
    const setting = enc.kdf === 'key' ? 'BACKUP_KEY' : 'BACKUP_PASSPHRASE';
    if (!hasKey(keys))
      throw new BackupError(`${path} is encrypted: set ${setting} to the one it was made with, then try again.`);
    if (enc.kdf === 'key' && !keys.key)
      throw new BackupError(`${path} was encrypted with a key, not a passphrase: set BACKUP_KEY to that key.`);
    if (enc.kdf === 'scrypt' && !keys.passphrase)
      throw new BackupError(`${path} was encrypted with a passphrase, not a key: set BACKUP_PASSPHRASE to it.`);
    if (enc.scrypt && (enc.scrypt.N !== SCRYPT.N || enc.scrypt.r !== SCRYPT.r || enc.scrypt.p !== SCRYPT.p))
      throw damaged(path, 'its key settings are not the ones Relief writes');
    const salt = Buffer.from(enc.salt, 'base64');
    const derived = derive(await masterKey(keys, enc.kdf, salt), salt);
    if (derived.check !== enc.keyCheck)
      throw new BackupError(`wrong key: ${setting} is not the one ${path} was made with.`);
    const mac = createHmac('sha256', derived.mac).update(start).digest();
    if (!timingSafeEqual(mac, trailer.subarray(TAG_BYTES))) throw damaged(path, 'its header does not authenticate');
    return {
      path,
      header,
      fileBytes: size,
      bodyStart: start.length,
      keys: derived,
      tag: trailer.subarray(0, TAG_BYTES),
    };
  } finally {
    await file.close();
  }
}

/**
 * Streams the backup's database into `out` (decrypted), checking the authentication tag and the SHA-256 as it ends:
 * what was written to `out` may be used only once this resolves. Resolves to the secret, when the body carries one.
 * One pass: each chunk is decrypted, hashed and handed to `out` as it is read.
 */
export async function readBackupBody(
  opened: OpenedBackup,
  out: Writable,
  onBytes?: (done: number) => void,
): Promise<{ secret: string | undefined }> {
  const { header } = opened;
  const decipher =
    opened.keys && opened.tag && header.encryption
      ? createDecipheriv('aes-256-gcm', opened.keys.enc, Buffer.from(header.encryption.iv, 'base64')).setAuthTag(
          opened.tag,
        )
      : undefined;
  const hash: Hash = createHash('sha256');
  let lead = Buffer.alloc(0);
  let secretLength = -1;
  let secret: string | undefined;
  let done = 0;
  const plain: Buffer[] = [];
  const take = (bytes: Buffer) => {
    hash.update(bytes);
    done += bytes.length;
    if (secretLength >= 0 && secret !== undefined) {
      if (bytes.length) plain.push(bytes);
      return;
    }
    // The first bytes are the secret's length and the secret; the database follows.
    lead = Buffer.concat([lead, bytes]);
    if (secretLength < 0 && lead.length >= 4) secretLength = lead.readUInt32BE(0);
    if (secretLength >= 0 && lead.length >= 4 + secretLength) {
      secret = lead.subarray(4, 4 + secretLength).toString('utf8');
      const rest = lead.subarray(4 + secretLength);
      lead = Buffer.alloc(0);
      if (rest.length) plain.push(rest);
    }
  };
  const start = opened.bodyStart;
  async function* decrypted() {
    for await (const chunk of fileChunks(opened.path, start, start + header.bytes)) {
      // Without a key the chunk is the content itself: a copy, as fileChunks reuses its memory.
      take(decipher ? decipher.update(chunk) : Buffer.from(chunk));
      onBytes?.(done);
      yield* plain.splice(0);
    }
    try {
      if (decipher) take(decipher.final());
    } catch {
      throw damaged(opened.path, 'its content does not authenticate');
    }
    if (secret === undefined) throw damaged(opened.path, 'its content is cut short');
    if (hash.digest('hex') !== header.sha256) throw damaged(opened.path, 'its content does not match its SHA-256');
    yield* plain.splice(0);
  }
  await pipeline(decrypted, out);
  return { secret: header.secret ? secret : undefined };
}
