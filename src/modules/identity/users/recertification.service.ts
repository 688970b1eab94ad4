/**
 * Access recertification: a user whose access an LSO has not re-confirmed within `recertificationDays` is
 * disabled by the daily job, and their organisation's LSOs are told.
 */
import { inScope, SYSTEM_SCOPE } from '../../../platform/db/scope.ts';
import type { MailMessage } from '../../../platform/mail/mailer.ts';
import type { AuditActor } from '../../audit/index.ts';
import type { IdentityDeps } from '../identity.deps.ts';
import { organisationsRepository, usersRepository } from '../identity.repository.ts';
import { changeUser } from './user-changes.ts';
import { DAY_MS } from './users.view.ts';

export class RecertificationService {
  constructor(private readonly deps: IdentityDeps) {}

  /**
   * The daily recertification run: disables every active user whose access was last confirmed more than
   * `recertificationDays` ago, ends their sessions, and tells their organisation's LSOs (or, when it has none,
   * the CDSP's). Idempotent: a second run the same day finds nobody to disable.
   */
  async disableOverdueUsers(): Promise<{ disabled: string[] }> {
    const now = this.deps.clock.now();
    const cutoff = new Date(now.getTime() - this.deps.config.recertificationDays * DAY_MS);
    const by: AuditActor = { userId: null, label: 'job:identity.recertification', organisationId: null };
    const outbox: MailMessage[] = [];
    const disabled = await inScope(this.deps.db, SYSTEM_SCOPE, async (trx) => {
      const overdue = await usersRepository.recertificationOverdue(trx, cutoff);
      const byOrg = new Map<string, typeof overdue>();
      for (const u of overdue) {
        await changeUser(
          trx,
          this.deps.audit,
          { user: u, orgIds: [u.organisation_id], now, by },
          {
            action: 'user.disabled',
            patch: { status: 'disabled', disabled_reason: 'recertification' },
            endSessions: 'recertification_overdue',
            details: {
              reason: 'recertification_overdue',
              last_recertified: (u.recertified_at ?? u.created_at).toISOString(),
            },
          },
        );
        byOrg.set(u.organisation_id, [...(byOrg.get(u.organisation_id) ?? []), u]);
      }
      const cdsp = (await organisationsRepository.list(trx)).find((o) => o.type === 'cdsp');
      for (const [orgId, users] of byOrg) {
        let lsos = await usersRepository.lsosOf(trx, orgId);
        if (lsos.length === 0 && cdsp) lsos = await usersRepository.lsosOf(trx, cdsp.id);
        const org = await organisationsRepository.byId(trx, orgId);
        for (const lso of lsos) {
          outbox.push({
            to: lso.email,
            subject: `Access not re-confirmed: ${users.length} user${users.length === 1 ? '' : 's'} disabled`,
            text: [
              `Hello ${lso.name},`,
              '',
              `These users of ${org?.name ?? 'your organisation'} were not re-confirmed within ${this.deps.config.recertificationDays} days, so their access to ${this.deps.site.serviceName} has been disabled:`,
              ...users.map((u) => `  - ${u.name} <${u.email}>`),
              '',
              `Re-enable anyone who still needs access from the LSO console: ${this.deps.site.publicUrl}/lso/users`,
            ].join('\n'),
          });
        }
      }
      return overdue.map((u) => u.id);
    });
    for (const m of outbox) await this.deps.mailer.send(m);
    return { disabled };
  }
}
