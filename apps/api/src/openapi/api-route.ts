import { SetMetadata, type StreamableFile, applyDecorators } from '@nestjs/common';
import { Roles } from '@ostracon/auth';
import type { CataloguedError, Role } from '@ostracon/common';
import type { z } from 'zod';

/** The groups of the document, in Swagger UI's order of first appearance. */
export type Tag = 'orders' | 'directives' | 'sign-up checks' | 'private checks' | 'audit' | 'admin' | 'sign-in' | 'operations';

/** An answer other than a problem: JSON of a schema, a body of another media type, or none. */
export interface ResponseDescription {
  description: string;
  /** The JSON answered: the handler must return its output type (ApiRoute checks it). */
  schema?: z.ZodType;
  /** A body that is not JSON (a page, a signed note, NDJSON): its media type. With `schema` too, the other form the route can answer (a PDF). */
  mediaType?: 'text/html' | 'text/plain' | 'text/csv' | 'application/x-ndjson' | 'application/pdf';
}

/** A problem the route answers: a catalogue's entry (its code and status), with what it means here when that needs saying. */
export type RouteError = CataloguedError | { error: CataloguedError; note: string };

export interface HeaderDescription {
  name: string;
  required: boolean;
  description: string;
}

/**
 * What the OpenAPI document says of a route, written beside its handler. The method and path are
 * the router's (Nest's decorators, or the Fastify registration), and so are the schemas of its
 * body and query: the ones that validate them.
 */
export interface RouteDescription {
  /** What a generated client calls the operation: a verb and a noun, unique in the document. */
  operationId: string;
  summary: string;
  tag: Tag;
  /** Who may call it, which AccessGuard enforces from this very list. Absent: no credentials needed. */
  roles?: readonly Role[];
  /** A route open to anyone that acts on a person's session when there is one (signing out). */
  session?: true;
  /** Path parameters other than uuids (the default): a platform's slug. */
  params?: Readonly<Record<string, z.ZodType>>;
  headers?: readonly HeaderDescription[];
  /** Its answers other than problems, by status. */
  responses: Readonly<Record<number, ResponseDescription>>;
  /** The problems it answers beyond those every route of its kind does (the generator adds those: openapi.ts). */
  errors?: readonly RouteError[];
}

/** A route Fastify serves without Nest (the sign-up checks): its description, method, path and what validates it. */
export interface OutsideNestRoute extends RouteDescription {
  method: 'get' | 'post' | 'patch' | 'delete';
  path: string;
  body?: z.ZodType;
  query?: z.ZodObject;
  /** How its JSON body is read (apps/api/src/http/json-body.ts); `plain` lets a key repeat. Default: `secure`. */
  json?: 'secure' | 'plain';
  /** Only an API key: the route reads no session cookie. */
  keysOnly?: true;
}

const API_ROUTE = 'ostracon:api-route';

/** Every JSON answer's output type, read-only: what the handler returns is only serialized. */
type Answer<D extends RouteDescription> = {
  [S in keyof D['responses']]: D['responses'][S] extends { schema: infer T extends z.ZodType; mediaType: string }
    ? ReadonlyDeep<z.output<T>> | StreamableFile
    : D['responses'][S] extends { schema: infer T extends z.ZodType }
      ? ReadonlyDeep<z.output<T>>
      : never;
}[keyof D['responses']];
type ReadonlyDeep<T> = T extends readonly (infer U)[]
  ? readonly ReadonlyDeep<U>[]
  : T extends object
    ? { readonly [K in keyof T]: ReadonlyDeep<T[K]> }
    : T;
/** What the handler may return: a JSON answer's type, or anything when it answers no JSON (a redirect, a page, 204). */
type Returned<D extends RouteDescription> = [Answer<D>] extends [never] ? unknown : Answer<D>;

/**
 * Describes a Nest route handler for the OpenAPI document, and sets the roles AccessGuard admits
 * (Roles, libs/auth): one declaration for both. A handler whose return type is not what its
 * JSON answer's schema outputs does not compile.
 */
export function ApiRoute<const D extends RouteDescription>(description: D) {
  const decorate = applyDecorators(SetMetadata(API_ROUTE, description), ...(description.roles ? [Roles(...description.roles)] : []));
  return <H extends (...args: never[]) => Returned<D> | Promise<Returned<D>>>(
    target: object,
    key: string | symbol,
    descriptor: TypedPropertyDescriptor<H>,
  ): void => {
    decorate(target, key, descriptor);
  };
}

/** The description ApiRoute put on a handler. */
export function routeDescriptionOf(handler: object): RouteDescription | undefined {
  return Reflect.getMetadata(API_ROUTE, handler) as RouteDescription | undefined;
}
