import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';

export const OPENAPI_JSON_PATH = 'api/v1/openapi.json';

/** The OpenAPI document at /api/v1/openapi.json and Swagger UI at /docs. */
export function setupOpenApi(app: NestFastifyApplication): void {
  const config = new DocumentBuilder()
    .setTitle('physwatch orchestrator')
    .setDescription('Fleet-wide software watchpoints: create watches, see hosts and their watch states, read hits.')
    .setVersion('1')
    // Every operation under /api/v1 needs `Authorization: Bearer <token>` (this document does not).
    .addBearerAuth()
    .addSecurityRequirements('bearer')
    .build();
  const document = SwaggerModule.createDocument(app, config);
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: OPENAPI_JSON_PATH, raw: ['json'] });
}
