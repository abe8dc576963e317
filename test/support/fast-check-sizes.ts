// Property tests reach the sizes they state (issue 17). fast-check 4 sizes every generator
// 'small' by default, so `fc.array(x, { maxLength: 4000 })` never made more than 10 elements and a
// test "across rehashes" never rehashed. With this, a stated maxLength (or maxDepth) is the size.
// Loaded by both Jest configs (setupFiles); test/fast-check-sizes.spec.ts checks it holds.
import fc from 'fast-check';

fc.configureGlobal({ ...fc.readConfigureGlobal(), defaultSizeToMaxWhenMaxSpecified: true });
