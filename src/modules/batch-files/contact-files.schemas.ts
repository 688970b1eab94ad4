/** TypeBox schemas of the batch-files API (the OpenAPI document is generated from them). */
import { Type } from 'typebox';

export const ContactFileParams = Type.Object({
  id: Type.String({ maxLength: 36, description: 'The contact file id (from the upload answer)' }),
});

export const ContactFile = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    status: Type.Union(
      [Type.Literal('queued'), Type.Literal('processing'), Type.Literal('done'), Type.Literal('refused')],
      { description: 'queued, processing, done (the response file is ready) or refused (see reason)' },
    ),
    records: Type.Integer({ description: 'C01 records in the file' }),
    accepted: Type.Integer({ description: 'Records that became contacts (once done)' }),
    rejected: Type.Integer({ description: 'Records rejected with reasons (once done)' }),
    reason: Type.Union([Type.String(), Type.Null()], { description: 'Why a refused file was refused' }),
    processed: Type.Integer({ description: 'Records answered so far' }),
    file_name: Type.String(),
    sequence_number: Type.Union([Type.Integer(), Type.Null()]),
    uploaded_by: Type.String(),
    uploaded_at: Type.String({ format: 'date-time' }),
    finished_at: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  },
  { additionalProperties: false },
);

export const ContactFileList = Type.Object({ files: Type.Array(ContactFile) });

export const UpdateFileQuery = Type.Object(
  { date: Type.String({ maxLength: 10, description: 'The business date, YYYY-MM-DD' }) },
  { additionalProperties: false },
);
