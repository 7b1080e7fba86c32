/**
 * A form's problems in words, from the issues of the API's own zod schema (main/contract): the
 * bound a number or a text breaks, or the kind of number wanted, else the schema's message.
 * Pure: the forms that check with a schema (training-form.ts, playground-form.ts) share it.
 *
 * @example
 *   const parsed = trainingJobSchemas['gan-train'].safeParse(input);
 *   if (!parsed.success) for (const issue of parsed.error.issues) console.log(issueMessage(issue));  // "At least 1."
 */

/** The parts of a zod issue a message is made from. */
export interface SchemaIssue {
  code: string;
  message: string;
  path: PropertyKey[];
  minimum?: unknown;
  maximum?: unknown;
  inclusive?: boolean;
  expected?: string;
  /** What a bound counts: a number's value, a string's characters, an array's items. */
  origin?: string;
}

/** An issue as a sentence for the field it names; `arrayUnit` names what a list counts (" prompts"). */
export function issueMessage(issue: SchemaIssue, arrayUnit = ' items'): string {
  const unit = issue.origin === 'string' ? ' characters' : issue.origin === 'array' ? arrayUnit : '';
  const bound = (value: unknown): string => (typeof value === 'number' || typeof value === 'bigint' ? Number(value).toLocaleString('en') : String(value)) + unit;
  if (issue.code === 'too_small') return issue.inclusive === false ? `More than ${bound(issue.minimum)}.` : `At least ${bound(issue.minimum)}.`;
  if (issue.code === 'too_big') return issue.inclusive === false ? `Less than ${bound(issue.maximum)}.` : `At most ${bound(issue.maximum)}.`;
  if (issue.code === 'invalid_type' && issue.expected === 'int') return 'A whole number.';
  if (issue.code === 'invalid_type' && issue.expected === 'number') return 'A number.';
  const message = issue.message.charAt(0).toUpperCase() + issue.message.slice(1);
  return message.endsWith('.') ? message : `${message}.`;
}
