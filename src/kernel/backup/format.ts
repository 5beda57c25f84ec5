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
import { createWriteStream } from 'node:fs';
import { open, rename, unlink, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Transform, type Readable, type Writable } from 'node:stream';
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
const CHUNK = 1 << 20;
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
 * Writes a backup file at `path` (through `path.partial`, renamed when complete and synced). `database` is the
 * database's content; `keys` null writes a plain backup. `onBytes` is told the body bytes written so far.
 */
export async function writeBackupFile(
  path: string,
  meta: BackupMeta,
  database: Readable,
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
  try {
    const start = Buffer.alloc(PREFIX + HEADER_SLOT, 0x20);
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
    const seal = (chunk: Buffer): Buffer => {
      hash.update(chunk);
      bytes += chunk.length;
      return cipher ? cipher.update(chunk) : chunk;
    };
    let first = true;
    const body = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        if (first) {
          first = false;
          this.push(seal(lead));
        }
        this.push(seal(chunk));
        onBytes?.(bytes);
        done();
      },
      flush(done) {
        if (first) this.push(seal(lead));
        done();
      },
    });
    // The body through a stream of its own (a FileHandle's stream would have to close the handle to finish).
    await pipeline(
      database,
      body,
      createWriteStream(partial, { flags: 'r+', start: start.length, highWaterMark: CHUNK }),
    );
    if (cipher) cipher.final();

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
  const take = (plain: Buffer, push: (b: Buffer) => void) => {
    hash.update(plain);
    done += plain.length;
    if (secretLength >= 0 && secret !== undefined) {
      if (plain.length) push(plain);
      return;
    }
    // The first bytes are the secret's length and the secret; the database follows.
    lead = Buffer.concat([lead, plain]);
    if (secretLength < 0 && lead.length >= 4) secretLength = lead.readUInt32BE(0);
    if (secretLength >= 0 && lead.length >= 4 + secretLength) {
      secret = lead.subarray(4, 4 + secretLength).toString('utf8');
      const rest = lead.subarray(4 + secretLength);
      lead = Buffer.alloc(0);
      if (rest.length) push(rest);
    }
  };
  const body = new Transform({
    transform(chunk: Buffer, _encoding, next) {
      take(decipher ? decipher.update(chunk) : chunk, (b) => this.push(b));
      onBytes?.(done);
      next();
    },
    flush(next) {
      try {
        if (decipher) take(decipher.final(), (b) => this.push(b));
      } catch {
        return next(damaged(opened.path, 'its content does not authenticate'));
      }
      if (secret === undefined) return next(damaged(opened.path, 'its content is cut short'));
      if (hash.digest('hex') !== header.sha256)
        return next(damaged(opened.path, 'its content does not match its SHA-256'));
      next();
    },
  });
  const file = await open(opened.path, 'r');
  const source = file.createReadStream({
    start: opened.bodyStart,
    end: opened.bodyStart + header.bytes - 1,
    highWaterMark: CHUNK,
  });
  try {
    await pipeline(source, body, out);
  } finally {
    await file.close().catch(() => {});
  }
  return { secret: header.secret ? secret : undefined };
}
