import { hkdfSync, randomBytes } from 'node:crypto';
import { accessSync, chmodSync, constants, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { join, resolve } from 'node:path';
import { z } from 'zod';

/** Thrown for a bad environment; the CLI prints its message as one line and exits. */
export class ConfigError extends Error {}

const port = z.coerce.number().int().min(1).max(65535);
const url = (protocols: string[]) =>
  z.string().refine(
    (v) => {
      try {
        return protocols.includes(new URL(v).protocol);
      } catch {
        return false;
      }
    },
    `must be a URL starting with ${protocols.join(' or ')}//`,
  );

const envSchema = z.object({
  PORT: port.default(3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  DATA_DIR: z.string().min(1).default('./data'),
  DATABASE_URL: url(['postgres:', 'postgresql:']).optional(),
  SMTP_URL: url(['smtp:', 'smtps:']).optional(),
  MAIL_FROM: z.string().min(3).default('Relief <no-reply@relief.local>'),
  PUBLIC_URL: url(['http:', 'https:']).optional(),
  SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  MAIL_RETRY_SECONDS: z.coerce.number().int().min(1).max(3600).default(30),
  MAIL_RETRY_WINDOW_HOURS: z.coerce
    .number()
    .positive('must be a number of hours above 0')
    .max(720, 'must be at most 720 (30 days)')
    .default(72),
  MAIL_LEASE_SECONDS: z.coerce
    .number()
    .int()
    .min(10, 'must be at least 10')
    .max(600, 'must be at most 600')
    .default(120),
  EXPORT_WAIT_MS: z.coerce.number().int().min(0).max(10_000, 'must be at most 10000 (10 seconds)').default(1000),
  TRUST_PROXY: z
    .string()
    .refine(
      validTrustProxy,
      'must be true, a hop count, or the proxy addresses (comma-separated, each an IP address or address/prefix)',
    )
    .optional(),
  SESSION_IDLE_MINUTES: z.coerce.number().int().min(1).max(240).default(15),
  SESSION_MAX_HOURS: z.coerce.number().int().min(1).max(24).default(12),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  NODE_ENV: z.string().default('development'),
  BACKUP_DIR: z.string().min(1).optional(),
  BACKUP_EVERY_HOURS: z.coerce
    .number()
    .positive('must be a number of hours above 0')
    .max(168, 'must be at most 168 (a week)')
    .default(24),
  BACKUP_KEEP: z.coerce.number().int().min(1).max(10_000).default(14),
  BACKUP_KEY: z
    .string()
    .regex(/^[0-9a-fA-F]{64}$/, 'must be 64 hexadecimal characters (32 bytes; make one with: openssl rand -hex 32)')
    .optional(),
  BACKUP_PASSPHRASE: z.string().min(12, 'must be at least 12 characters').optional(),
  AUDIT_KEY: z.string().min(32, 'must be at least 32 characters (make one with: openssl rand -hex 32)').optional(),
  AUDIT_CHECKPOINT_FILE: z.string().min(1).optional(),
  AUDIT_CHECKPOINT_EVERY: z.coerce
    .number()
    .int('must be a whole number of events')
    .min(10, 'must be at least 10')
    .max(1_000_000, 'must be at most 1000000')
    .default(1000),
  AUDIT_CHECKPOINT_MINUTES: z.coerce
    .number()
    .positive('must be a number of minutes above 0')
    .max(1440, 'must be at most 1440 (a day)')
    .default(5),
  METRICS_TOKEN: z.string().min(32, 'must be at least 32 characters').optional(),
});

export interface Config {
  port: number;
  host: string;
  dataDir: string;
  databaseUrl: string | undefined;
  /** PostgreSQL schema to use (tests give each suite its own). */
  databaseSchema: string | undefined;
  smtpUrl: string | undefined;
  mailFrom: string;
  publicUrl: string;
  secret: string;
  logLevel: string;
  production: boolean;
  /** First retry delay for failed mail; it doubles on each attempt up to an hour. */
  mailRetryMs: number;
  /** Failed mail is retried for this long from when it first fell due, then shown as failed (never dropped). */
  mailRetryWindowMs: number;
  /**
   * How long a worker holds a message it took: another instance takes it over only after this (say after a crash),
   * and each SMTP phase is bounded to fit well within it.
   */
  mailLeaseMs: number;
  /** How long a report export's button waits for the file before showing its progress page instead. */
  exportWaitMs: number;
  /** Behind a reverse proxy: which proxies to believe for the client address (rate limits, audit). */
  trustProxy: boolean | number | string;
  /** Staff sessions end after this long without a request, and in any case after sessionMaxMs. */
  sessionIdleMs: number;
  sessionMaxMs: number;
  /** Backups (src/kernel/backup): where scheduled ones go (none when unset), how often, how many to keep, the key. */
  backup: BackupSettings;
  /** The key of the audit trail's HMAC chain and checkpoints, and where and how often checkpoints are written. */
  audit: AuditSettings;
  /** A bearer token that lets a scraper off this machine read /metrics (loopback needs none). */
  metricsToken: string | undefined;
}

export interface AuditSettings {
  /** 32 bytes derived from AUDIT_KEY, else from the secret: never stored in the database. */
  key: Buffer;
  /** Which setting the key came from, for messages that tell an operator what to set. */
  keyFrom: 'AUDIT_KEY' | 'SECRET';
  checkpointFile: string;
  checkpointEvery: number;
  checkpointEveryMs: number;
}

export interface BackupSettings {
  dir: string | undefined;
  everyMs: number;
  keep: number;
  /** 32 bytes as 64 hex characters (BACKUP_KEY), or a passphrase stretched with scrypt (BACKUP_PASSPHRASE). */
  key: string | undefined;
  passphrase: string | undefined;
}

type Env = Record<string, string | undefined>;

/** true, a hop count, or a list of addresses, address/prefix ranges and proxy-addr's named ranges. */
function validTrustProxy(value: string): boolean {
  if (value === 'true' || /^\d{1,2}$/.test(value)) return true;
  return value.split(',').every((entry) => {
    const item = entry.trim();
    if (['loopback', 'linklocal', 'uniquelocal'].includes(item)) return true;
    const [address = '', prefix, ...rest] = item.split('/');
    const version = isIP(address);
    if (version === 0 || rest.length > 0) return false;
    return prefix === undefined || (/^\d{1,3}$/.test(prefix) && Number(prefix) <= (version === 4 ? 32 : 128));
  });
}

/** Reads configuration from the environment; throws ConfigError naming the first bad variable. */
export function loadConfig(env: Env = process.env): Config {
  const cleaned: Env = {};
  for (const key of Object.keys(envSchema.shape)) {
    const value = env[key];
    if (value !== undefined && value !== '') cleaned[key] = value;
  }
  const parsed = envSchema.safeParse(cleaned);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const name = String(issue.path[0] ?? 'environment');
    throw new ConfigError(`Invalid configuration: ${name} ${issue.message.replace(/^Invalid input: /, '')}`);
  }
  const e = parsed.data;
  const dataDir = resolve(e.DATA_DIR);
  if (!e.DATABASE_URL || !e.SECRET) usableFolder('DATA_DIR', dataDir);
  if (e.BACKUP_KEY && e.BACKUP_PASSPHRASE)
    throw new ConfigError('Invalid configuration: BACKUP_PASSPHRASE is set as well as BACKUP_KEY; set only one');
  const backupDir = e.BACKUP_DIR === undefined ? undefined : resolve(e.BACKUP_DIR);
  if (backupDir) {
    usableFolder('BACKUP_DIR', backupDir);
    if (!e.BACKUP_KEY && !e.BACKUP_PASSPHRASE)
      throw new ConfigError(
        'Invalid configuration: BACKUP_DIR is set but BACKUP_KEY is not (scheduled backups are always encrypted; set BACKUP_KEY or BACKUP_PASSPHRASE)',
      );
  }
  const secret = e.SECRET ?? persistentSecret(dataDir);
  return {
    port: e.PORT,
    host: e.HOST,
    dataDir,
    databaseUrl: e.DATABASE_URL,
    databaseSchema: undefined,
    smtpUrl: e.SMTP_URL,
    mailFrom: e.MAIL_FROM,
    publicUrl: (e.PUBLIC_URL ?? `http://localhost:${e.PORT}`).replace(/\/+$/, ''),
    secret,
    logLevel: e.LOG_LEVEL,
    production: e.NODE_ENV === 'production',
    mailRetryMs: e.MAIL_RETRY_SECONDS * 1000,
    mailRetryWindowMs: Math.round(e.MAIL_RETRY_WINDOW_HOURS * 3_600_000),
    mailLeaseMs: e.MAIL_LEASE_SECONDS * 1000,
    exportWaitMs: e.EXPORT_WAIT_MS,
    trustProxy:
      e.TRUST_PROXY === undefined
        ? false
        : e.TRUST_PROXY === 'true'
          ? true
          : /^\d+$/.test(e.TRUST_PROXY)
            ? Number(e.TRUST_PROXY)
            : e.TRUST_PROXY,
    sessionIdleMs: e.SESSION_IDLE_MINUTES * 60_000,
    sessionMaxMs: e.SESSION_MAX_HOURS * 3_600_000,
    backup: {
      dir: backupDir,
      everyMs: Math.round(e.BACKUP_EVERY_HOURS * 3_600_000),
      keep: e.BACKUP_KEEP,
      key: e.BACKUP_KEY,
      passphrase: e.BACKUP_PASSPHRASE,
    },
    audit: {
      key: auditKey(e.AUDIT_KEY ?? secret),
      keyFrom: e.AUDIT_KEY ? 'AUDIT_KEY' : 'SECRET',
      checkpointFile: resolve(e.AUDIT_CHECKPOINT_FILE ?? join(dataDir, 'audit-checkpoints.log')),
      checkpointEvery: e.AUDIT_CHECKPOINT_EVERY,
      checkpointEveryMs: Math.round(e.AUDIT_CHECKPOINT_MINUTES * 60_000),
    },
    metricsToken: e.METRICS_TOKEN,
  };
}

/**
 * The audit chain's key: HKDF-SHA-256 of AUDIT_KEY or the secret under a fixed label, so the secret that signs links
 * is never used raw, and a key derived from it is useless for anything but the audit trail.
 */
export function auditKey(source: string): Buffer {
  return Buffer.from(hkdfSync('sha256', source, '', 'relief audit chain v1', 32));
}

/**
 * A folder setting must name a folder this process can write, made if missing: DATA_DIR (the SQLite file, the
 * generated secret), BACKUP_DIR (scheduled backups).
 */
function usableFolder(name: string, dir: string): void {
  try {
    mkdirSync(dir, { recursive: true });
    if (!statSync(dir).isDirectory()) throw Object.assign(new Error('not a folder'), { code: 'ENOTDIR' });
    accessSync(dir, constants.W_OK);
  } catch (err) {
    const code = (err as { code?: string }).code ?? (err as Error).message;
    throw new ConfigError(`Invalid configuration: ${name} ${dir} is not a writable folder (${code})`);
  }
}

/**
 * A generated secret kept in DATA_DIR so that links in emails keep working across restarts. Created with "wx" (only
 * if absent), so two first starts at once agree on one secret: the second reads the first's.
 */
function persistentSecret(dataDir: string): string {
  const file = join(dataDir, 'secret');
  try {
    const fresh = randomBytes(32).toString('hex');
    try {
      writeFileSync(file, fresh + '\n', { mode: 0o600, flag: 'wx' });
      chmodSync(file, 0o600);
      return fresh;
    } catch (err) {
      if ((err as { code?: string }).code !== 'EEXIST') throw err;
    }
    const existing = readFileSync(file, 'utf8').trim();
    if (existing.length >= 32) return existing;
    // An empty or cut-short file (a crash while it was first written): nothing can have been signed with it.
    writeFileSync(file, fresh + '\n', { mode: 0o600, flag: 'w' });
    chmodSync(file, 0o600);
    return fresh;
  } catch (err) {
    const code = (err as { code?: string }).code ?? (err as Error).message;
    throw new ConfigError(
      `Invalid configuration: DATA_DIR ${dataDir} cannot keep the generated secret (${code}); set SECRET or fix DATA_DIR`,
    );
  }
}
