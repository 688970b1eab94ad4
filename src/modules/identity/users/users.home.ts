/**
 * The LSO's panel on the signed-in home page: how many users await the LSO (locked out, access to re-confirm,
 * invitation not accepted), each a link to the users list showing exactly those (the same filter counts them).
 */
import type { HomePanel } from '../../../platform/web/home.ts';
import { paths } from '../../../platform/web/paths.ts';
import type { Actor } from '../actor.ts';
import type { LsoService } from './users.service.ts';
import { AWAITING, type AwaitingAction } from './users.view.ts';

export async function lsoHomePanels(lso: LsoService, actor: Actor): Promise<HomePanel[]> {
  if (!actor.permissions.has('users:manage')) return [];
  const users = await lso.listUsers(actor);
  const actions = Object.keys(AWAITING) as AwaitingAction[];
  return [
    {
      order: 30,
      heading: 'Users',
      lead: 'Users who need something from you, as their Local Security Officer.',
      counts: actions.map((a) => ({
        label: AWAITING[a].label,
        count: users.filter(AWAITING[a].holds).length,
        href: `${paths.lsoUsers}?show=${a}`,
      })),
      facts: [{ label: 'Users you manage', value: users.length.toLocaleString('en-GB') }],
      links: [
        { text: 'All the users you manage', href: paths.lsoUsers },
        { text: 'Invite a user', href: paths.lsoInvite },
      ],
    },
  ];
}
