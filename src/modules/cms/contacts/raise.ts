/**
 * Raising a contact: the catalogue entry, who may raise it, the portfolio, the code's field rules, routing to the
 * resolver, idempotency (Idempotency-Key), the SLA due date, then the contact and its events.
 *
 * The register (DES) and the directory (identity) are asked first, outside the transaction; then ONE transaction
 * reads the catalogue, checks the key, writes the contact, its audit events and webhooks, and reads it back.
 */
import { createHash } from 'node:crypto';
import { inScope, type Tx } from '../../../platform/db/scope.ts';
import { ForbiddenError, ValidationError, type FieldError } from '../../../platform/errors.ts';
import { validateMprn } from '../../../platform/gas/mprn.ts';
import { londonDateOf } from '../../../platform/time/calendar.ts';
import type { Actor } from '../../identity/index.ts';
import { referenceRepository } from '../../reference/index.ts';
import { catalogueRepository } from '../catalogue.repository.ts';
import type { DirectoryOrganisation, MailIntent, SiteInfo } from '../cms.ports.ts';
import { IdempotencyKeyReusedError } from '../cms.errors.ts';
import { cannotRaise, mayRaise, type ContactCodeDef } from '../domain/contact-codes.ts';
import { validateContactFields } from '../domain/contact-fields.ts';
import { siteStandingRefusal } from '../domain/availability.ts';
import { formatContactReference } from '../domain/reference.ts';
import { computeSla } from '../domain/sla.ts';
import {
  auditActorOf,
  businessCalendar,
  scopeOf,
  SYSTEM_ACTOR,
  type CmsContext,
  type CodeSnapshot,
  type RaiseInput,
} from './contact-context.ts';
import { contactView, type ContactView, type OrgMap } from './contact-views.ts';
import { contactsRepository } from './contacts.repository.ts';
import { recordContactEvent } from './notifications.ts';
import { unroutableRepository } from './unroutable.repository.ts';
import { withRegisterValues } from './prefill.ts';

export interface Raised {
  contact: ContactView;
  replayed: boolean;
}

const NOT_RAISED = 'The contact was not raised';

export async function raiseContact(ctx: CmsContext, actor: Actor, input: RaiseInput): Promise<Raised> {
  const code = String(input.code ?? '')
    .trim()
    .toUpperCase();
  const key = input.idempotencyKey?.trim() || null;
  if (key !== null && !/^[\x21-\x7e]{1,255}$/.test(key)) {
    throw new ValidationError('The Idempotency-Key header is not valid', [
      { field: 'Idempotency-Key', message: 'Use 1 to 255 visible ASCII characters, for example a UUID' },
    ]);
  }
  const requestHash = createHash('sha256')
    .update(
      JSON.stringify([
        code,
        input.mprn ?? null,
        input.raiser_reference ?? null,
        input.description,
        input.fields ?? {},
      ]),
    )
    .digest('hex');
  const mprn = input.mprn?.trim() || null;
  const mprnOk = mprn !== null && validateMprn(mprn).ok;
  // Other modules are asked before the transaction opens (never inside it): the site, if the MPRN is in the
  // actor's portfolio (used only when the code needs it), and the organisations to route to.
  const visibleSite = mprnOk ? await ctx.sites.findVisibleSite(actor, mprn) : null;
  // Whether the MPRN is on the register at all (codes without a portfolio check; nothing else about the site).
  const onRegister = visibleSite !== null || (mprnOk ? await ctx.sites.mprnExists(mprn) : false);
  const orgList = await ctx.directory.organisations();
  const orgs: OrgMap = new Map(orgList.map((o) => [o.id, o]));
  const now = ctx.clock.now();

  const replay = async (trx: Tx): Promise<Raised | null> => {
    if (key === null) return null;
    const existing = await contactsRepository.byIdempotencyKey(trx, actor.organisationId, key);
    if (!existing) return null;
    if (existing.idempotency_hash !== requestHash) throw new IdempotencyKeyReusedError(existing.reference);
    const calendar = await businessCalendar(trx);
    return { contact: await contactView(trx, existing, { actor, orgs, calendar, now }), replayed: true };
  };

  try {
    return await inScope(ctx.db, scopeOf(actor), async (trx) => {
      const earlier = await replay(trx);
      if (earlier) return earlier;
      const codeRow = await catalogueRepository.byCode(trx, code);
      if (!codeRow) {
        throw new ValidationError(NOT_RAISED, [
          { field: 'code', message: `“${input.code}” is not a contact code` },
        ]);
      }
      const def = codeRow as unknown as ContactCodeDef & { version: number };
      if (!mayRaise(def, actor.organisationType)) throw new ForbiddenError(cannotRaise(def));
      const errors: FieldError[] = [];
      const description = String(input.description ?? '').trim();
      if (description.length < 1 || description.length > 10000)
        errors.push({ field: 'description', message: 'Describe the contact in 1 to 10,000 characters' });
      const raiserReference = input.raiser_reference?.trim() || null;
      if (raiserReference && raiserReference.length > 100)
        errors.push({ field: 'raiser_reference', message: 'Your reference must be 100 characters or fewer' });
      const needsSite = def.portfolio_check || def.resolver.kind === 'register_party';
      let site: SiteInfo | null = null;
      if (mprn === null) {
        if (def.mprn_required) errors.push({ field: 'mprn', message: `${def.code} contacts need an MPRN` });
      } else if (!mprnOk) {
        errors.push({ field: 'mprn', message: 'An MPRN is 6 to 10 digits' });
      } else if (needsSite || def.rules.length > 0) {
        site = visibleSite;
        // Outside the portfolio is exactly the same as not existing.
        if (!site && needsSite)
          errors.push({ field: 'mprn', message: `There is no supply point ${mprn} in your portfolio` });
      }
      // The code's standing (a code that takes no MPRN; one only for sites no shipper is registered to): the same
      // rule the raise page's code chooser applies (domain/availability.ts).
      const standing = mprnOk ? siteStandingRefusal(def, visibleSite) : null;
      if (standing !== null) errors.push({ field: 'mprn', message: standing });
      // A code without a portfolio check still needs an MPRN that is on the register (UNC, for example).
      if (mprnOk && !needsSite && def.mprn_required && !onRegister)
        errors.push({ field: 'mprn', message: `There is no supply point ${mprn} on the register` });
      // "Current value" fields are the register's, never typed (prefill.ts).
      const reg = withRegisterValues(def, mprnOk ? visibleSite : null, input.fields ?? {}, errors);
      const checked = validateContactFields(reg.def, reg.fields, {
        today: londonDateOf(now),
        siteClass: site?.class ?? null,
        annualQuantityKwh: site?.annual_quantity ?? null,
        meterPointStatus: site?.meter_point_status ?? null,
        raiserType: actor.organisationType,
        mprn,
      });
      for (const e of checked.errors) {
        // Rules about the site as a whole say nothing more when there is no site to check.
        if (e.field === null && needsSite && !site) continue;
        errors.push({ field: e.field ? `fields.${e.field}` : 'fields', message: e.message });
      }
      // Raised on the registered shipper's behalf (a DMSP's Class 1 RFA): the shipper sees the contact too.
      let onBehalfOf: DirectoryOrganisation | null = null;
      if (checked.onBehalfOf === 'registered_shipper' && site) {
        const sc = site.shipper_short_code;
        onBehalfOf = (sc && orgList.find((o) => o.type === 'shipper' && o.shortCode === sc)) || null;
        if (!onBehalfOf)
          errors.push({
            field: 'mprn',
            message:
              `${def.code} contacts are raised on the registered shipper’s behalf, and no CMS shipper is registered ` +
              `to supply point ${mprn}. Ask the CDSP service desk to check the register`,
          });
      }
      if (errors.length > 0) throw new ValidationError(NOT_RAISED, errors);

      const routed = await route(trx, def, site, checked.values, orgList);
      if (!routed.ok) {
        if (routed.missing)
          throw new UnroutableError(
            NOT_RAISED,
            { field: routed.field, message: routed.message },
            routed.missing,
          );
        throw new ValidationError(NOT_RAISED, [{ field: routed.field, message: routed.message }]);
      }

      const snapshot: CodeSnapshot = {
        name: def.name,
        target_business_days: def.target_business_days,
        response_window_business_days: def.response_window_business_days,
        challenge_window_business_days: def.challenge_window_business_days,
        worked_in: def.worked_in,
        resolver: def.resolver,
      };
      const calendar = await businessCalendar(trx);
      const sla = computeSla({
        raisedAt: now,
        targetBusinessDays: def.target_business_days,
        pauses: [],
        calendar,
        now,
      });
      const seq = await contactsRepository.nextSequence(trx, def.code);
      const row = await contactsRepository.insert(trx, {
        reference: formatContactReference(def.code, seq),
        code: def.code,
        code_version: def.version,
        code_snapshot: JSON.stringify(snapshot),
        mprn,
        site: site ? JSON.stringify(site) : null,
        raiser_org_id: actor.organisationId,
        raiser_user_id: actor.userId,
        raiser_label: actor.name,
        resolver_org_id: routed.orgId,
        resolver_team: routed.team,
        status: 'open',
        assignee_user_id: null,
        assignee_label: null,
        raiser_reference: raiserReference,
        description,
        fields: JSON.stringify(checked.values),
        raised_at: now,
        target_business_days: def.target_business_days,
        due_date: sla.dueDate,
        awaiting_since: null,
        response_due_date: null,
        resolved_at: null,
        stopped_at: null,
        closed_at: null,
        outcome: null,
        reason_code: null,
        breach_warning_for: null,
        updated_at: now,
        idempotency_key: key,
        idempotency_hash: key ? requestHash : null,
        on_behalf_of_org_id: onBehalfOf?.id ?? null,
        not_invoiced_from: checked.notInvoiced?.from ?? null,
        not_invoiced_to: checked.notInvoiced?.to ?? null,
      });
      const resolverOrg = orgs.get(routed.orgId);
      const outbox: MailIntent[] = [];
      const contact = await contactView(trx, row, { actor, orgs, calendar, now, justRaised: true });
      // Last: the audit write locks the chain head until the commit.
      await recordContactEvent(trx, ctx.audit, outbox, {
        at: now,
        audit: [
          {
            actor: auditActorOf(actor),
            action: 'contact.raised',
            subjectType: 'contact',
            subjectId: row.id,
            details: {
              reference: row.reference,
              code: def.code,
              code_version: def.version,
              mprn,
              raiser_reference: raiserReference,
              description,
              fields: checked.values,
              warnings: checked.warnings,
              on_behalf_of: onBehalfOf?.shortCode ?? null,
              not_invoiced: checked.notInvoiced,
              due_date: sla.dueDate,
              status: 'open',
            },
          },
          {
            actor: SYSTEM_ACTOR,
            action: 'contact.routed',
            subjectType: 'contact',
            subjectId: row.id,
            details: {
              reference: row.reference,
              resolver: routed.team ? `CDSP ${routed.team.replace(/_/g, ' ')} team` : resolverOrg?.name,
              resolver_team: routed.team,
              resolver_organisation: resolverOrg?.shortCode ?? null,
              rule: def.resolver,
            },
          },
        ],
        webhook: {
          organisationIds: [row.raiser_org_id, row.resolver_org_id, ...(onBehalfOf ? [onBehalfOf.id] : [])],
          event: 'contact.raised',
          data: {
            reference: row.reference,
            code: row.code,
            status: row.status,
            version: row.version,
            due_date: row.due_date,
          },
        },
      });
      return { contact, replayed: false };
    });
  } catch (err) {
    // Nobody to route to: the operator sees the attempt (its own small transaction; the refusal changes nothing).
    if (err instanceof UnroutableError) await recordUnroutable(ctx, actor, code, mprn, err, now);
    // Two requests with the same key at once: the loser of the unique index race replays the winner.
    if (key !== null && (err as { code?: string }).code === '23505') {
      const again = await inScope(ctx.db, scopeOf(actor), replay);
      if (again) return again;
    }
    throw err;
  }
}

type Routed =
  | { ok: true; orgId: string; team: string | null }
  /** `missing`: the party the register or the appointments directory does not name (the operator's list). */
  | { ok: false; field: string; message: string; missing?: string };

/** A raise refused because no party can be routed to: what is missing, for the operator's list. */
export class UnroutableError extends ValidationError {
  constructor(
    message: string,
    error: FieldError,
    readonly missing: string,
  ) {
    super(message, [error]);
  }
}

/** Records an unroutable attempt, audited, in its own transaction (under the raiser's scope). */
async function recordUnroutable(
  ctx: CmsContext,
  actor: Actor,
  code: string,
  mprn: string | null,
  err: UnroutableError,
  at: Date,
): Promise<void> {
  const message = err.errors[0]?.message ?? err.message;
  await inScope(ctx.db, scopeOf(actor), async (trx) => {
    const row = await unroutableRepository.insert(trx, {
      at,
      organisation_id: actor.organisationId,
      user_id: actor.userId,
      user_label: actor.name,
      code,
      mprn,
      missing: err.missing,
      message,
    });
    await ctx.audit.record(trx, {
      actor: auditActorOf(actor),
      action: 'contact.unroutable',
      subjectType: 'unroutable_attempt',
      subjectId: row.id,
      details: { code, mprn, missing: err.missing, message },
    });
  });
}

/**
 * A GSR or MUS the register gives no shipper to route to: what is missing and whom to ask. The CDSP records a
 * shipperless site's last shipper and an unregistered site's interested shipper in the register (the load's
 * `last_shipper_short_code` / `interested_shipper_short_code`).
 */
function unroutable(code: string | null | undefined, column: 'last' | 'interested'): Routed & { ok: false } {
  const field = column === 'last' ? 'last_shipper_short_code' : 'interested_shipper_short_code';
  const who = column === 'last' ? 'last registered shipper' : 'interested shipper';
  const message = code
    ? `The register names shipper '${code}', but no CMS organisation has that short code, so the contact ` +
      `cannot be routed. Ask the CDSP service desk to check it`
    : `No shipper is registered and the register names no ${who} for this supply point, so the contact ` +
      `cannot be routed. Ask the CDSP service desk to record it (${field})`;
  const missing = code
    ? `A CMS organisation with the ${who}’s short code (${code})`
    : column === 'last'
      ? 'The last registered shipper'
      : 'The interested shipper';
  return { ok: false, field: 'mprn', message, missing };
}

/** The resolver: a CDSP team, or the organisation the register names for the site (or the LDZ given). */
async function route(
  trx: Tx,
  def: ContactCodeDef,
  site: SiteInfo | null,
  values: Record<string, unknown>,
  orgs: DirectoryOrganisation[],
): Promise<Routed> {
  const r = def.resolver;
  if (r.kind === 'cdsp_team') {
    const cdsp = orgs.find((o) => o.type === 'cdsp');
    if (!cdsp)
      return { ok: false, field: 'code', message: 'There is no CDSP organisation to route this contact to' };
    return { ok: true, orgId: cdsp.id, team: r.team };
  }
  const byShort = (sc: string | null | undefined) => (sc ? orgs.find((o) => o.shortCode === sc) : undefined);
  let target: DirectoryOrganisation | undefined;
  let what: string;
  switch (r.party) {
    // The DMSP and MRA come from the CDSP's appointments directory (in force on the raise date), not from GES.
    case 'dmsp':
    case 'mra': {
      what = r.party === 'dmsp' ? 'Daily Metered Service Provider' : 'Meter Reading Agency';
      target = byShort(r.party === 'dmsp' ? site?.dmsp_short_code : site?.mra_short_code);
      if (site && !target) {
        const key = [site.ldz_id ? `LDZ ${site.ldz_id}` : null, site.class ? `Class ${site.class}` : null]
          .filter((x) => x !== null)
          .join(', ');
        const message =
          `No ${what} is appointed for this supply point today${key ? ` (${key})` : ''}, so the contact cannot be ` +
          `routed. Ask the CDSP service desk to record the appointment`;
        return {
          ok: false,
          field: 'mprn',
          message,
          missing: `${what} appointment${key ? ` for ${key}` : ''}`,
        };
      }
      break;
    }
    // UNC's Shipperless and Unregistered sites: the registered shipper where there is one, else the shipper the
    // register records for the S&U process (the last registered one; the one that asked for the MPRN).
    case 'last_shipper':
    case 'shipper_of_interest': {
      const column = r.party === 'last_shipper' ? 'last' : 'interested';
      const code = site?.shipper_short_code ?? site?.[`${column}_shipper_short_code` as const];
      target = byShort(code);
      if (site && !target) return unroutable(code, column);
      what = 'shipper';
      break;
    }
    case 'network': {
      what = 'network (gas transporter)';
      const ldz = values['ldz_id'];
      const network =
        typeof ldz === 'string'
          ? await referenceRepository.ldzNetwork(trx, ldz)
          : (site?.network_name ?? null);
      target = orgs.find(
        (o) => (o.type === 'gt' || o.type === 'igt') && network !== null && o.networkName === network,
      );
      break;
    }
  }
  if (!target) {
    return {
      ok: false,
      field: site ? 'mprn' : 'fields',
      message:
        `The register does not name a ${what} for this supply point, so the contact cannot be routed. Ask the ` +
        `CDSP service desk to check the register`,
      missing: site ? `A ${what} for this supply point` : `A ${what} for the LDZ given`,
    };
  }
  return { ok: true, orgId: target.id, team: null };
}
