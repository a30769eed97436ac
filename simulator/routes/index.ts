import type { Route } from '../http/route.ts';
import { attachmentRoutes } from './attachments.ts';
import { commentRoutes } from './comments.ts';
import { issueRoutes } from './issues.ts';
import { linkRoutes } from './links.ts';
import { metaRoutes } from './meta.ts';
import { projectRoutes } from './projects.ts';
import { propertyRoutes } from './properties.ts';
import { searchRoutes } from './search.ts';
import { serviceDeskRoutes } from './servicedesk.ts';
import { userRoutes } from './users.ts';
import { webhookRoutes } from './webhooks.ts';

/** Every REST operation a simulated site serves. */
export const ALL_ROUTES: readonly Route[] = [
  ...metaRoutes,
  ...projectRoutes,
  ...issueRoutes,
  ...commentRoutes,
  ...attachmentRoutes,
  ...linkRoutes,
  ...propertyRoutes,
  ...searchRoutes,
  ...userRoutes,
  ...webhookRoutes,
  ...serviceDeskRoutes,
];
