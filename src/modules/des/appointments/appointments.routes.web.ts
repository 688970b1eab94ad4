/**
 * The appointments directory pages (CDSP administrators: `des:appointments`): the list with filters, the add form
 * and the end form. GOV.UK date inputs (day, month, year); forms post, then redirect, or show the service's errors.
 */
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import { ValidationError } from '../../../platform/errors.ts';
import { queryValue, requireActor } from '../../../platform/http/actor.ts';
import { formErrorsOf } from '../../../platform/http/form-errors.ts';
import { field, fields, govukDateField as dateOf } from '../../../platform/http/forms.ts';
import { desPaths } from '../enquiry/index.ts';
import { auditActorOf } from '../../identity/index.ts';
import { ROLE_NAMES, type AppointmentsService } from './appointments.service.ts';
import { govukDate } from '../../../platform/time/calendar.ts';

export const appointmentPaths = {
  list: desPaths.appointments,
  add: '/des/appointments/new',
  end: (id: string) => `/des/appointments/${id}/end`,
} as const;

const V = (name: string) => `des/appointments/views/${name}.njk`;

const ROLES = Object.entries(ROLE_NAMES).map(([value, text]) => ({ value, text }));

export const appointmentsWebPlugin =
  (s: AppointmentsService): FastifyPluginAsync =>
  async (app) => {
    const permission = { config: { permission: 'des:appointments' as const } };

    app.get(appointmentPaths.list, permission, async (req, reply) => {
      const filter = {
        role: queryValue(req, 'role'),
        organisation: queryValue(req, 'organisation'),
        ldz: queryValue(req, 'ldz'),
        mprn: queryValue(req, 'mprn'),
        current: queryValue(req, 'current') === 'yes',
      };
      const base = {
        pageTitle: 'Appointments directory',
        appointmentPaths,
        longDate: govukDate,
        filter,
        roles: ROLES,
        orgs: await s.candidates(),
        ldzs: await s.ldzs(),
        notice: queryValue(req, 'added')
          ? 'The appointment has been added.'
          : queryValue(req, 'ended')
            ? 'The appointment has been ended.'
            : null,
      };
      try {
        return reply.view(V('list'), { ...base, appointments: await s.list(filter) });
      } catch (e) {
        if (e instanceof ValidationError)
          return reply.code(400).view(V('list'), { ...base, appointments: [], ...formErrorsOf(e) });
        throw e;
      }
    });

    const addPage = async (reply: FastifyReply, form: Record<string, unknown>, extra = {}, code = 200) =>
      reply.code(code).view(V('add'), {
        pageTitle: 'Add an appointment',
        appointmentPaths,
        roles: ROLES,
        orgs: await s.candidates(),
        ldzs: await s.ldzs(),
        form,
        ...extra,
      });

    app.get(appointmentPaths.add, permission, async (_req, reply) => addPage(reply, { classes: [] }));

    app.post(appointmentPaths.add, permission, async (req, reply) => {
      const b = req.body;
      const from = dateOf(b, 'effective_from');
      const to = dateOf(b, 'effective_to');
      // The radio says which key counts; without one, the only key given does.
      const keyKind =
        field(b, 'key') || (field(b, 'mprn').trim() ? 'mprn' : field(b, 'ldz').trim() ? 'ldz' : '');
      const form = {
        role: field(b, 'role'),
        organisation: field(b, 'organisation'),
        key: keyKind,
        ldz: field(b, 'ldz'),
        classes: fields(b, 'classes'),
        mprn: field(b, 'mprn'),
        effective_from: from,
        effective_to: to,
      };
      try {
        await s.add(
          {
            role: form.role,
            organisation: form.organisation,
            ldz: keyKind === 'ldz' ? form.ldz : null,
            classes: keyKind === 'ldz' && form.classes.length > 0 ? form.classes : null,
            mprn: keyKind === 'mprn' ? form.mprn : null,
            effective_from: from.iso,
            effective_to: to.iso || null,
          },
          auditActorOf(requireActor(req)),
        );
        return reply.redirect(`${appointmentPaths.list}?added=1`, 303);
      } catch (e) {
        if (e instanceof ValidationError) return addPage(reply, form, formErrorsOf(e, 'role'), 400);
        throw e;
      }
    });

    const endPage = async (
      reply: FastifyReply,
      id: string,
      form: Record<string, unknown>,
      extra = {},
      code = 200,
    ) => {
      const appointment = await s.get(id);
      return reply.code(code).view(V('end'), {
        pageTitle: 'End an appointment',
        appointmentPaths,
        appointment,
        form,
        ...extra,
      });
    };

    app.get<{ Params: { id: string } }>('/des/appointments/:id/end', permission, async (req, reply) =>
      endPage(reply, req.params.id, {}),
    );

    app.post<{ Params: { id: string } }>('/des/appointments/:id/end', permission, async (req, reply) => {
      const to = dateOf(req.body, 'effective_to');
      try {
        await s.end(req.params.id, to.iso, auditActorOf(requireActor(req)));
        return reply.redirect(`${appointmentPaths.list}?ended=1`, 303);
      } catch (e) {
        if (e instanceof ValidationError)
          return endPage(reply, req.params.id, { effective_to: to }, formErrorsOf(e, 'effective_to'), 400);
        throw e;
      }
    });
  };
