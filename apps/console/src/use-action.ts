import { useState } from 'react';
import { ApiError, fieldProblemText } from './api';

/** An error of the API's problem+json (`errors[]`) that belongs to no field of the form. */
export interface UnplacedError {
  path: string;
  message: string;
}

interface ActionState<R> {
  pending: boolean;
  error?: unknown;
  result?: R;
  /** The API's errors on the form's fields, by field name, in French (by the problem's code). */
  fieldErrors: Record<string, string>;
  unplaced: UnplacedError[];
}

const IDLE = { pending: false, fieldErrors: {}, unplaced: [] };

/**
 * Something a person does that calls the API (a form sent, a button pressed): `run` does it, and
 * says meanwhile that it is pending, then its result or its error. A problem+json answer's
 * `errors[].path` land on the form's fields: `fieldOf` names the field a path belongs to (by
 * default the path itself; undefined for none, and the error is then listed as unplaced).
 */
export function useAction<R = unknown>(fieldOf: (path: string) => string | undefined = (path) => path) {
  const [state, setState] = useState<ActionState<R>>(IDLE);

  /** The work's result, or undefined once its error is in `error` (and on the fields). */
  const run = async <T extends R>(work: () => Promise<T>): Promise<T | undefined> => {
    setState((s) => ({ ...IDLE, pending: true, result: s.result }));
    try {
      const result = await work();
      setState({ ...IDLE, result });
      return result;
    } catch (error) {
      const fieldErrors: Record<string, string> = {};
      const unplaced: UnplacedError[] = [];
      if (error instanceof ApiError) {
        // The entries' `message` is English, for developers: a person reads the code's French text.
        for (const { path } of error.errors) {
          const field = fieldOf(path);
          if (field === undefined) unplaced.push({ path, message: fieldProblemText(error.code) });
          else fieldErrors[field] = fieldProblemText(error.code);
        }
      }
      setState({ ...IDLE, error, fieldErrors, unplaced });
      return undefined;
    }
  };

  /** The API's error on a field, until the person changes it (clearField). */
  const fieldError = (field: string): string | undefined => state.fieldErrors[field] || undefined;
  const clearField = (field: string) =>
    setState((s) => (s.fieldErrors[field] ? { ...s, fieldErrors: { ...s.fieldErrors, [field]: '' } } : s));

  return { ...state, run, fieldError, clearField };
}
