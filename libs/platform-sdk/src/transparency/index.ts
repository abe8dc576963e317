/**
 * The audit log's transparency formats, shared by the service, the witness and whoever checks
 * the log: RFC 9162 Merkle trees, C2SP signed notes and checkpoints, cosignature/v1, and the
 * checks of a cosigned checkpoint and of an inclusion bundle. docs/auditing.md.
 */
export * from './merkle';
export * from './signed-note';
export * from './cosignature';
export * from './verify';
export * from './evidence';
