/** SQL for the contact changes of a period (changes.ts): the contacts an organisation is party to, changed since. */
import type { Tx } from '../../../platform/db/scope.ts';

export const changesRepository = {
  /**
   * The organisation's contacts changed since `from` (raised, routed to it, or raised on its behalf): the contact,
   * or a note or attachment added to it.
   */
  changedSince(trx: Tx, organisationId: string, from: Date) {
    return (
      trx
        .selectFrom('cms.contacts')
        .select(['id', 'reference', 'raiser_reference', 'raiser_org_id', 'resolver_org_id', 'status'])
        .where((eb) =>
          eb.or([
            eb('raiser_org_id', '=', organisationId),
            eb('resolver_org_id', '=', organisationId),
            eb('on_behalf_of_org_id', '=', organisationId),
          ]),
        )
        // A change of the contact itself moves updated_at; a note or an attachment does not.
        .where((eb) =>
          eb.or([
            eb('updated_at', '>=', from),
            eb.exists(
              eb
                .selectFrom('cms.notes as n')
                .select('n.id')
                .whereRef('n.contact_id', '=', 'cms.contacts.id')
                .where('n.created_at', '>=', from),
            ),
            eb.exists(
              eb
                .selectFrom('cms.attachments as a')
                .select('a.id')
                .whereRef('a.contact_id', '=', 'cms.contacts.id')
                .where('a.created_at', '>=', from),
            ),
          ]),
        )
        .execute()
    );
  },
};
