/** Directory objects in Microsoft Graph's shape (the subset the passkey service needs). */
export type UserType = 'Member' | 'Guest';

export interface User {
  id: string;
  userPrincipalName: string;
  displayName: string;
  userType: UserType;
  accountEnabled: boolean;
  mail: string | null;
  createdDateTime: string;
}

export interface Group {
  id: string;
  displayName: string;
  description: string | null;
  securityEnabled: boolean;
  mailEnabled: boolean;
  createdDateTime: string;
}

/** A conjunction of simple OData clauses: `field eq 'v'` or `startswith(field,'v')`. */
export interface FilterClause {
  field: 'displayName' | 'userPrincipalName';
  op: 'eq' | 'startswith';
  value: string;
}

export interface ListQuery {
  filter: FilterClause[];
  top: number;
  /** Keyset cursor: the id after which the next page starts. */
  after?: string;
}

export interface Page<T> {
  items: T[];
  /** Set when more items follow; the cursor to pass as `after`. */
  next?: string;
}
