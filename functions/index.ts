import { app } from '@azure/functions';
import * as df from 'durable-functions';
import { durableFunctions } from '../orchestrations/registry';
import { getDefaultApp } from '../shared/app';
import { buildHttpRegistry } from './registry';

// Azure Functions entry point (package.json "main"): registers every declared function with the
// real programming model. The local host mounts the same registries instead (local/startLocal.ts).
for (const { definition, handler } of buildHttpRegistry(getDefaultApp)) {
  app.http(definition.name, {
    route: definition.route,
    methods: definition.methods,
    authLevel: 'anonymous', // our pipeline checks bearer tokens on every admin route
    extraInputs: definition.durableClient ? [df.input.durableClient()] : [],
    handler,
  });
}

const durable = durableFunctions(getDefaultApp);
for (const [name, handler] of Object.entries(durable.orchestrations)) df.app.orchestration(name, handler);
for (const [name, handler] of Object.entries(durable.activities)) df.app.activity(name, { handler });
