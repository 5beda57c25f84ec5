import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { PassThrough, Readable } from 'node:stream';
import {
  BackupError,
  openBackup,
  readBackupBody,
  writeBackupFile,
  type BackupKeys,
  type BackupMeta,
} from '../../src/kernel/backup/format.ts';
import { terminalProgress } from '../../src/kernel/backup/progress.ts';
import { renameSchema, withSchema } from '../../src/kernel/backup/postgres.ts';
import { backupName, backupTime, BACKUP_NAME } from '../../src/kernel/backup/backup.ts';

const dir = mkdtempSync(join(tmpdir(), 'relief-backup-format-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const KEY: BackupKeys = { key: randomBytes(32).toString('hex') };
const PASSPHRASE: BackupKeys = { passphrase: 'correct horse battery staple' };
const META: BackupMeta = {
  engine: 'sqlite',
  schema: { version: 10, latest: '010_search_fold' },
  createdAt: new Date('2026-03-02T15:00:00.000Z'),
  tables: { appointments: 3, audit_events: 7 },
  secret: undefined,
};
// Several chunks, so that the body crosses the stream's chunk boundaries.
const CONTENT = Buffer.concat([randomBytes(3 << 20), Buffer.from('the end')]);

let n = 0;
async function write(keys: BackupKeys | null, meta: Partial<BackupMeta> = {}, content: Buffer = CONTENT) {
  const file = join(dir, `b${++n}.backup`);
  const result = await writeBackupFile(file, { ...META, ...meta }, Readable.from([content]), keys);
  return { file, ...result };
}

async function read(file: string, keys: BackupKeys) {
  const opened = await openBackup(file, keys);
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  const { secret } = await readBackupBody(opened, out);
  return { header: opened.header, content: Buffer.concat(chunks), secret };
}

/** The refusal's message: one line, no stack. */
async function refusal(work: Promise<unknown>): Promise<string> {
  try {
    await work;
  } catch (err) {
    expect(err).toBeInstanceOf(BackupError);
    const message = (err as Error).message;
    expect(message).not.toContain('\n');
    return message;
  }
  throw new Error('expected a refusal');
}

function flipByte(file: string, at: number): void {
  const bytes = readFileSync(file);
  bytes[at] = bytes[at]! ^ 0xff;
  writeFileSync(file, bytes);
}

describe('the backup file format', () => {
  it('round-trips encrypted (key and passphrase) and plain, with the header describing the content', async () => {
    for (const keys of [KEY, PASSPHRASE, null]) {
      const { file, header, fileBytes } = await write(keys, { secret: 's3cret-s3cret' });
      expect(statSync(file).size).toBe(fileBytes);
      expect(statSync(file).mode & 0o777).toBe(0o600);
      const back = await read(file, keys ?? {});
      expect(back.content.equals(CONTENT)).toBe(true);
      expect(back.secret).toBe('s3cret-s3cret');
      expect(back.header).toEqual(header);
      expect(header).toMatchObject({
        format: 1,
        engine: 'sqlite',
        schema: { version: 10, latest: '010_search_fold' },
        createdAt: '2026-03-02T15:00:00.000Z',
        tables: { appointments: 3, audit_events: 7 },
        secret: true,
      });
      expect(header.sha256).toMatch(/^[0-9a-f]{64}$/);
      expect(header.encryption?.kdf).toBe(keys === null ? undefined : keys.key ? 'key' : 'scrypt');
    }
  });

  it('keeps the content and the secret unreadable without the key', async () => {
    const { file } = await write(KEY, { secret: 'the-generated-secret-value' }, Buffer.from('Ana Moreno, CRPS'));
    const bytes = readFileSync(file);
    expect(bytes.includes(Buffer.from('Ana Moreno'))).toBe(false);
    expect(bytes.includes(Buffer.from('the-generated-secret-value'))).toBe(false);
  });

  it('detects one flipped byte anywhere: magic, header, padding, body, tag and header MAC', async () => {
    for (const keys of [KEY, null]) {
      const { file, fileBytes } = await write(keys, {}, randomBytes(4096));
      const positions = [0, 9, 14, 200, 8000, 8204, 8204 + 2000, fileBytes - 40, fileBytes - 20, fileBytes - 1];
      for (const at of positions) {
        const copy = join(dir, `flip-${++n}.backup`);
        writeFileSync(copy, readFileSync(file));
        flipByte(copy, at);
        const message = await refusal(read(copy, keys ?? {}));
        expect(message, `byte ${at}`).toMatch(/not a Relief backup|damaged or has been edited|truncated|longer than/);
      }
    }
  });

  it('refuses a truncated file, and one with bytes added', async () => {
    const { file, fileBytes } = await write(KEY);
    truncateSync(file, fileBytes - 1000);
    expect(await refusal(read(file, KEY))).toMatch(/is truncated or has been edited/);
    const other = await write(KEY);
    writeFileSync(other.file, Buffer.concat([readFileSync(other.file), Buffer.from('x')]));
    expect(await refusal(read(other.file, KEY))).toMatch(/longer than it should be/);
  });

  it('refuses a wrong key, a missing key and the other kind of key, each in one line', async () => {
    const withKey = await write(KEY);
    expect(await refusal(read(withKey.file, { key: randomBytes(32).toString('hex') }))).toMatch(
      /^wrong key: BACKUP_KEY is not the one .* was made with\.$/,
    );
    expect(await refusal(read(withKey.file, {}))).toMatch(/is encrypted: set BACKUP_KEY/);
    expect(await refusal(read(withKey.file, PASSPHRASE))).toMatch(/encrypted with a key, not a passphrase/);
    const withPassphrase = await write(PASSPHRASE);
    expect(await refusal(read(withPassphrase.file, { passphrase: 'another passphrase here' }))).toMatch(
      /^wrong key: BACKUP_PASSPHRASE/,
    );
    expect(await refusal(read(withPassphrase.file, KEY))).toMatch(/encrypted with a passphrase, not a key/);
  });

  it('refuses what is not a backup, and a backup format from a newer release', async () => {
    const notOne = join(dir, 'not-a-backup');
    writeFileSync(notOne, 'SQLite format 3\0');
    expect(await refusal(openBackup(notOne, KEY))).toMatch(/is not a Relief backup/);
    expect(await refusal(openBackup(join(dir, 'missing'), KEY))).toMatch(/cannot read .*ENOENT/);
    // A plain backup whose header says format 2, with its checksum made to match.
    const { file } = await write(null);
    const bytes = readFileSync(file);
    const slot = bytes.readUInt32BE(8);
    const header = JSON.parse(bytes.subarray(12, 12 + slot).toString('utf8'));
    const json = Buffer.alloc(slot, 0x20);
    Buffer.from(JSON.stringify({ ...header, format: 2 })).copy(json);
    json.copy(bytes, 12);
    writeFileSync(file, bytes);
    expect(await refusal(openBackup(file, {}))).toMatch(/written by a newer Relief \(backup format 2/);
  });

  it('leaves no file behind when the content fails while it is written', async () => {
    const file = join(dir, 'failing.backup');
    const failing = new Readable({
      read() {
        this.destroy(new Error('pg_dump failed'));
      },
    });
    await expect(writeBackupFile(file, META, failing, KEY)).rejects.toThrow('pg_dump failed');
    expect(() => statSync(file)).toThrow();
    expect(() => statSync(`${file}.partial`)).toThrow();
  });

  it('names backups so that they sort by age, and reads the time back', () => {
    const name = backupName(new Date('2026-03-02T15:04:05.678Z'));
    expect(name).toMatch(BACKUP_NAME);
    expect(backupTime(name)).toBe(Date.parse('2026-03-02T15:04:05.678Z'));
    expect(backupName(new Date('2026-03-02T15:04:05.679Z')) > name).toBe(true);
    expect(backupTime('relief-x.backup')).toBeUndefined();
  });
});

describe('progress on a terminal', () => {
  const fakeStream = (isTTY: boolean) => {
    const written: string[] = [];
    const stream = { isTTY, write: (s: string) => written.push(s) } as unknown as NodeJS.WriteStream;
    return { stream, written };
  };

  it('draws percent and rate in place when stderr is a terminal, and clears the line at the end', () => {
    let t = 0;
    const { stream, written } = fakeStream(true);
    const phase = terminalProgress(stream, () => t).phase('Copying the database', 200e6, 'bytes');
    t = 1000;
    phase.update(50e6);
    t = 1050;
    phase.update(60e6); // within 100 ms of the last drawing: skipped
    t = 2000;
    phase.update(100e6);
    phase.end();
    expect(written).toEqual([
      '\rCopying the database:  25% (50.0 MB/s)\x1b[K',
      '\rCopying the database:  50% (50.0 MB/s)\x1b[K',
      '\r\x1b[K',
    ]);
  });

  it('draws nothing when stderr is not a terminal', () => {
    const { stream, written } = fakeStream(false);
    const phase = terminalProgress(stream, () => 5000).phase('Restoring', 10, 'rows');
    phase.update(5);
    phase.end();
    expect(written).toEqual([]);
  });
});

describe('moving a PostgreSQL dump into another schema', () => {
  async function renamed(sqlText: string, create = false): Promise<string> {
    const out: Buffer[] = [];
    let rows = 0;
    const t = renameSchema('t_old', 'new_one', create, (r) => (rows = r));
    t.on('data', (c: Buffer) => out.push(c));
    const done = new Promise((r) => t.on('end', r));
    // Fed in small pieces, so that lines are split across chunks.
    const bytes = Buffer.from(sqlText);
    for (let i = 0; i < bytes.length; i += 7) t.write(bytes.subarray(i, i + 7));
    t.end();
    await done;
    return Buffer.concat(out).toString() + `#rows=${rows}`;
  }

  it('renames the schema outside COPY data only, drops the dump’s CREATE SCHEMA, and counts the rows', async () => {
    const input = [
      "SELECT pg_catalog.set_config('search_path', '', false);",
      'CREATE SCHEMA t_old;',
      'CREATE TABLE t_old.notes (id text, body text);',
      "ALTER TABLE ONLY t_old.notes ALTER COLUMN id SET DEFAULT nextval('t_old.seq'::regclass);",
      'COPY t_old.notes (id, body) FROM stdin;',
      'n1\tt_old.notes is text a patient typed',
      'n2\tnot_t_old.x',
      '\\.',
      'CREATE INDEX i ON t_old.notes USING btree (id);',
      'SELECT not_t_old.f(), "t_old".g();',
      '',
    ].join('\n');
    expect(await renamed(input, true)).toBe(
      [
        'CREATE SCHEMA "new_one";',
        "SELECT pg_catalog.set_config('search_path', '', false);",
        'CREATE TABLE "new_one".notes (id text, body text);',
        'ALTER TABLE ONLY "new_one".notes ALTER COLUMN id SET DEFAULT nextval(\'"new_one".seq\'::regclass);',
        'COPY "new_one".notes (id, body) FROM stdin;',
        'n1\tt_old.notes is text a patient typed',
        'n2\tnot_t_old.x',
        '\\.',
        'CREATE INDEX i ON "new_one".notes USING btree (id);',
        'SELECT not_t_old.f(), "new_one".g();',
        '#rows=2',
      ].join('\n'),
    );
  });

  it('puts the schema into a URL as libpq reads it', () => {
    expect(withSchema('postgres://u:p@h:5432/db', 's1')).toBe('postgres://u:p@h:5432/db?options=-c%20search_path%3Ds1');
    expect(withSchema('postgres://h/db?sslmode=disable&options=-c%20search_path%3Dold', 's2')).toBe(
      'postgres://h/db?sslmode=disable&options=-c%20search_path%3Ds2',
    );
    expect(withSchema('postgres://h/db', undefined)).toBe('postgres://h/db');
  });
});
