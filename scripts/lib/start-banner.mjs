// What `npm start` prints once the pipeline answers.
export function startBanner(pipeline) {
  return `
Milk telemetry pipeline is running.
  Webhook:     POST ${pipeline.url}/webhooks/radar
  Health:      GET  ${pipeline.url}/healthz
  Dev token:   ${pipeline.token}  (from .dev.vars)
  Kinesis:     ${pipeline.kinesis.endpoint}  stream "${pipeline.streamName}" (kinesalite, in memory)
               see what reached it: npm run kinesis -- tail
  Lake (R2):   local, persisted under .wrangler/state (npm run lake -- pull)

Try it:
  curl -i -X POST ${pipeline.url}/webhooks/radar \\
    -H 'Content-Type: application/json' \\
    -H 'X-Radar-Signing-Id: 6f1d2c3b-9a8e-4b7c-8d6e-5f4a3b2c1d0e' \\
    -H 'X-Radar-Signature: faf090039c3bae4aebc6d049d8602f1d5cd797f3' \\
    -d '{"event":{"_id":"demo-1","type":"user.entered_geofence","createdAt":"2024-03-05T14:09:49.871Z","location":{"type":"Point","coordinates":[-119.4339,36.22751]},"user":{"_id":"driver-1"},"geofence":{"tag":"farm","externalId":"farm-1183"}}}'

Press Ctrl-C to stop.`;
}
