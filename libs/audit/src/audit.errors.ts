import { defineErrors } from '@ostracon/common';

export const AuditErrors = defineErrors({
  noCheckpoint: {
    code: 'AUDIT.NO_CHECKPOINT',
    status: 404,
    title: 'No checkpoint has been signed yet',
    when: 'no checkpoint signed yet (the worker signs one within seconds of the first event)',
  },
  sizeNotAvailable: {
    code: 'AUDIT.SIZE_NOT_AVAILABLE',
    status: 404,
    title: 'The tree has not reached that size yet',
    when: 'a proof for a tree size the log has not reached, or `from` > `to`',
  },
  noCheckpointNote: {
    code: 'AUDIT.NO_CHECKPOINT_NOTE',
    status: 404,
    title: 'No signed checkpoint note of that size',
    when: 'an inclusion bundle for a tree size that has no signed checkpoint note (checkpoints are signed every few seconds; `GET /v1/audit/checkpoint/note` names one)',
  },
  notWitnessed: {
    code: 'AUDIT.NOT_WITNESSED',
    status: 404,
    title: 'No checkpoint has been cosigned by a quorum of witnesses yet',
    when: '`GET /v1/audit/checkpoint/note?witnessed=true` before any checkpoint was cosigned by a quorum of witnesses',
  },
  eventNotInTree: {
    code: 'AUDIT.EVENT_NOT_IN_TREE',
    status: 404,
    title: 'That event is not in a tree of that size',
    when: 'an inclusion proof for an event beyond the requested tree size',
  },
});
