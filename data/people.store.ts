import { z } from 'zod';
import { ConversationRefSchema } from './aanmelding.schema.js';
import { JsonCollection } from './json-collection.js';

/** The people the bot has met: how to reach them 1:1 later (their personal chat), keyed by aadObjectId. */
export const PersonSchema = z.strictObject({
  aadObjectId: z.string().min(1),
  teamsUserId: z.string().min(1),
  name: z.string(),
  personal: ConversationRefSchema.optional(),
  /** Where their tenant's Teams service lives (to start a 1:1 chat when there is none yet). */
  serviceUrl: z.string().min(1),
  tenantId: z.string().optional(),
});
export type Person = z.infer<typeof PersonSchema>;

export interface PeopleStore {
  get(aadObjectId: string): Promise<Person | undefined>;
  /** Remembers what is new about a person; writes only when something changed. */
  remember(person: Person): Promise<void>;
  /** The person removed the app from their personal scope: that chat is gone. True when there was one. */
  forgetPersonal(aadObjectId: string): Promise<boolean>;
}

const FileSchema = z.object({ people: z.record(z.string(), PersonSchema) });

export class LowdbPeopleStore implements PeopleStore {
  private constructor(private readonly file: JsonCollection<z.infer<typeof FileSchema>>) {}

  static async open(dir: string | undefined) {
    return new LowdbPeopleStore(await JsonCollection.open(dir, 'people.json', FileSchema, { people: {} }));
  }

  async get(aadObjectId: string) {
    return this.file.read().people[aadObjectId];
  }

  remember(person: Person): Promise<void> {
    return this.file.write((data) => {
      const known = data.people[person.aadObjectId];
      const merged = { ...known, ...person, personal: person.personal ?? known?.personal };
      if (known && JSON.stringify(known) === JSON.stringify(merged)) return { data, result: undefined };
      return { data: { people: { ...data.people, [person.aadObjectId]: PersonSchema.parse(merged) } }, result: undefined };
    });
  }

  forgetPersonal(aadObjectId: string): Promise<boolean> {
    return this.file.write((data) => {
      const known = data.people[aadObjectId];
      if (!known?.personal) return { data, result: false };
      const { personal: _gone, ...rest } = known;
      return { data: { people: { ...data.people, [aadObjectId]: rest } }, result: true };
    });
  }

  async all(): Promise<Person[]> {
    return Object.values(this.file.read().people);
  }

  /** Bulk import (data/store-dump.ts): every person in one write, replacing what is there. */
  load(people: Person[]): Promise<void> {
    return this.file.write(() => ({ data: { people: Object.fromEntries(people.map((p) => [p.aadObjectId, PersonSchema.parse(p)])) }, result: undefined }));
  }

  flush() {
    return this.file.flush();
  }
}
