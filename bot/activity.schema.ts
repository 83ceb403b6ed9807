import { z } from 'zod';

/**
 * What every incoming body must have before the Bot Framework adapter sees it. The adapter validates more
 * (and Teams sends much more); this catches bodies that could never be an activity, with a clear 400.
 */
export const IncomingActivitySchema = z.looseObject({
  type: z.string().min(1),
  conversation: z.looseObject({ id: z.string().min(1) }),
  from: z.looseObject({ id: z.string().min(1) }),
  serviceUrl: z.string().min(1),
});
