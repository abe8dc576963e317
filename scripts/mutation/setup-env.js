// Under mutation testing every covering test runs once per mutant: specs that build a million
// entries to check a memory bound build a tenth of it when this is set (same bounds, same checks).
process.env.OSTRACON_MUTATION = '1';
