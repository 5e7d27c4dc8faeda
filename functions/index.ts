import { app } from '@azure/functions';
import { getDefaultApp } from '../shared/app';
import { buildHttpRegistry } from './registry';

// Azure Functions entry point (package.json "main"): registers every declared function with the
// real programming model. The local host mounts the same registry instead (local/host.ts).
for (const { definition, handler } of buildHttpRegistry(getDefaultApp)) {
  app.http(definition.name, {
    route: definition.route,
    methods: definition.methods,
    authLevel: 'anonymous', // our pipeline checks bearer tokens on every admin route
    handler,
  });
}
