import { defineErrors } from '@ostracon/common';

export const AuditErrors = defineErrors({
  noCheckpoint: { code: 'AUDIT.NO_CHECKPOINT', status: 404, title: 'No checkpoint has been signed yet' },
  sizeNotAvailable: { code: 'AUDIT.SIZE_NOT_AVAILABLE', status: 404, title: 'The tree has not reached that size yet' },
  noCheckpointNote: { code: 'AUDIT.NO_CHECKPOINT_NOTE', status: 404, title: 'No signed checkpoint note of that size' },
  notWitnessed: { code: 'AUDIT.NOT_WITNESSED', status: 404, title: 'No checkpoint has been cosigned by a quorum of witnesses yet' },
  eventNotInTree: { code: 'AUDIT.EVENT_NOT_IN_TREE', status: 404, title: 'That event is not in a tree of that size' },
});
