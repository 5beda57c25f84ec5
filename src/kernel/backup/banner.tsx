import { h } from '../ui/jsx.ts';
import { backupStatus } from './schedule.ts';

/** For administrators, on every staff page: a failed or missed scheduled backup, until a backup succeeds again. */
export function BackupBanner() {
  const status = backupStatus();
  if (status.ready) return null;
  return (
    <div class="notice notice-error wrap" role="alert" id="backup-alert">
      <p>
        <strong>{status.state === 'failed' ? 'Backup failed.' : 'Backup missed.'}</strong> {status.message} See
        README.md, "Backups and restore".
      </p>
    </div>
  );
}
