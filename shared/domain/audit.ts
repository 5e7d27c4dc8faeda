/**
 * An audit record in Microsoft Graph's `directoryAudit` shape, written in the same store operation as
 * the change it describes, so no change goes unrecorded.
 */
export interface ModifiedProperty {
  displayName: string;
  oldValue: string | null;
  newValue: string | null;
}

export interface AuditRecord {
  id: string;
  activityDateTime: string;
  category: 'Policy' | 'UserManagement' | 'GroupManagement' | 'RoleManagement' | 'ApplicationManagement' | 'Authentication';
  activityDisplayName: string;
  operationType: 'Add' | 'Update' | 'Delete' | 'Other';
  loggedByService: string;
  initiatedBy: {
    user: { id: string; userPrincipalName: string | null } | null;
    app: { appId: string } | null;
    /** Work done for a provisioning job: the job and who created it (the actor above delivered the credential). */
    provisioningJob?: { id: string; createdBy: { id: string | null; userPrincipalName: string | null; appId: string | null } };
  };
  targetResources: Array<{
    id: string;
    displayName: string | null;
    type: string;
    modifiedProperties: ModifiedProperty[];
  }>;
  result: 'success' | 'failure';
  resultReason: string;
  /** Full before/after documents of the change, for the record. */
  before: unknown;
  after: unknown;
}
