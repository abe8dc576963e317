export const ROLES = ['authority', 'platform', 'auditor', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** What a request knows about its caller once the key is checked. */
export interface AuthenticatedClient {
  id: string;
  name: string;
  role: Role;
  /** Set for role `platform` only: the one platform this client acts for. */
  platformId: string | null;
}
