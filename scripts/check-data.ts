// Validates the datasets that reach the browser unvalidated (to keep zod out of client bundles)
// before `next build` runs; a bad file stops the build with the file and field named.
import raw from '@/content/data/models.json';
import { ContentError } from '@/lib/content/validate';
import { parseModels } from '@/lib/peft/models-schema';
// Importing the taxonomy validates it (and fails here, before a long build, when it is wrong).
import { taxonomy } from '@/lib/peft/taxonomy';

try {
  const models = parseModels(raw);
  console.log(`content/data checked: ${models.length} models, ${taxonomy.methods.length} taxonomy methods`);
} catch (err) {
  console.error(err instanceof ContentError ? err.message : err);
  process.exit(1);
}
