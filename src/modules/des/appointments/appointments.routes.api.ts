/**
 * The appointments directory API (CDSP administrators: `des:appointments`): list, add, end. Refusals are
 * application/problem+json 400s naming each field; every rule is the service's.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { requireActor } from '../../../platform/http/actor.ts';
import { bearerOptions, problemResponses } from '../../../platform/http/openapi.ts';
import { auditActorOf } from '../../identity/index.ts';
import {
  AppointmentBody,
  AppointmentEndBody,
  AppointmentParams,
  AppointmentQuery,
  AppointmentResponse,
} from './appointments.schemas.ts';
import type { AppointmentsService } from './appointments.service.ts';

export const appointmentsApiPlugin =
  (appointments: AppointmentsService): FastifyPluginAsyncTypebox =>
  async (app) => {
    app.get(
      '/appointments',
      bearerOptions({ permission: 'des:appointments' }, ['appointments'], 'The appointments directory', {
        description: 'Appointments of DMSPs and MRAs, newest first within each key (at most 500).',
        querystring: AppointmentQuery,
        response: {
          200: Type.Object({ appointments: Type.Array(AppointmentResponse) }),
          ...problemResponses(400, 401, 403),
        },
      }),
      async (req) => ({ appointments: await appointments.list(req.query) }),
    );

    app.post(
      '/appointments',
      bearerOptions(
        { permission: 'des:appointments', audit: 'des.appointment.added' },
        ['appointments'],
        'Add an appointment',
        {
          description:
            'Appoints a DMSP or MRA to an LDZ (optionally some classes) or to one MPRN from a date. The organisation ' +
            'must be of the role’s type; no two appointments of a role may overlap on the same key.',
          body: AppointmentBody,
          response: { 201: AppointmentResponse, ...problemResponses(400, 401, 403) },
        },
      ),
      async (req, reply) => {
        const view = await appointments.add(req.body, auditActorOf(requireActor(req)));
        return reply.code(201).header('location', `/api/v1/appointments/${view.id}`).send(view);
      },
    );

    app.post(
      '/appointments/:id/end',
      bearerOptions(
        { permission: 'des:appointments', audit: 'des.appointment.ended' },
        ['appointments'],
        'End an appointment',
        {
          description: 'Sets its last day (inclusive), or brings it forward. Appointments are never deleted.',
          params: AppointmentParams,
          body: AppointmentEndBody,
          response: { 200: AppointmentResponse, ...problemResponses(400, 401, 403, 404) },
        },
      ),
      async (req) => appointments.end(req.params.id, req.body.effective_to, auditActorOf(requireActor(req))),
    );
  };
