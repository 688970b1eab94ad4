/**
 * The GES-compatible Supplier API: `GET /supplier/v1?mprn=…` (or `address_id`, or `postcode` with address details:
 * house_no, street, Town, county, country, sub_building_name, dependent_street, dependent_local) answering
 * `{ "supplier": { … } }` with the GES field names and JSON types, so an existing GES client can point at us. Same
 * bearer tokens as /api/v1, permission des:read. A search that matches several visible supply points answers 400
 * asking for more address detail (one record per answer, as GES clients expect).
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { problemResponses } from '../../../platform/http/openapi.ts';
import { requireActor } from '../../../platform/http/actor.ts';
import { isMprn } from '../mprn.ts';
import { ValidationError } from '../../../platform/errors.ts';
import type { DesEnquiryServices } from './enquiry.services.ts';
import { GesQuery, GesResponse, sendSupplyPointNotFound, toGesSupplier } from './enquiry.schemas.ts';

export const gesApiPlugin =
  (s: DesEnquiryServices): FastifyPluginAsyncTypebox =>
  async (app) => {
    app.get(
      '/supplier/v1',
      {
        config: { permission: 'des:read', audit: 'des.enquiry.current' },
        schema: {
          tags: ['ges-compatible'],
          summary: 'GES-compatible supply point enquiry (getSupplier)',
          description:
            'At least one of mprn, address_id or postcode; postcode may be combined with house_no, street, Town, county, ' +
            'country, sub_building_name, dependent_street and dependent_local. Every value in the answer is a JSON string ' +
            'except meter_number_of_dials (an integer); empty fields are omitted. 404 when nothing you may see matches.',
          security: [{ bearerAuth: [] }],
          querystring: GesQuery,
          response: { 200: GesResponse, ...problemResponses(400, 401, 403, 404, 429) },
        },
      },
      async (req, reply) => {
        const q = req.query;
        const actor = requireActor(req);
        if (q.mprn !== undefined && q.mprn.trim() !== '') {
          const mprn = q.mprn.trim();
          if (!isMprn(mprn)) {
            throw new ValidationError('Invalid MPRN', [
              { field: 'mprn', message: 'an MPRN is 6 to 10 digits' },
            ]);
          }
          const v = await s.enquiry.detail(actor, mprn, {}, 'api');
          return v ? { supplier: toGesSupplier(v) } : sendSupplyPointNotFound(req, reply);
        }
        if (!q.address_id?.trim() && !q.postcode?.trim()) {
          throw new ValidationError('Give at least one of mprn, address_id or postcode', [
            { field: 'mprn', message: 'at least one of mprn, address_id or postcode is required' },
          ]);
        }
        const criteria = q.address_id?.trim()
          ? { address_id: q.address_id }
          : {
              postcode: q.postcode,
              house_no: q.house_no,
              street: q.street,
              town: q.Town,
              county: q.county,
              country: q.country,
              sub_building_name: q.sub_building_name,
              dependent_street: q.dependent_street,
              dependent_local: q.dependent_local,
            };
        const r = await s.enquiry.search(actor, criteria, { limit: 2 }, 'api');
        const first = r.items[0];
        if (!first) return sendSupplyPointNotFound(req, reply);
        if (r.items.length > 1) {
          throw new ValidationError(
            'Several supply points match: add address details (house_no, street) or use mprn',
            [{ field: 'postcode', message: 'several supply points match; narrow the search' }],
          );
        }
        return { supplier: toGesSupplier(first) };
      },
    );
  };
