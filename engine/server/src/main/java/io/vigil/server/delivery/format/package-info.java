/**
 * What a webhook POSTs for one alarm event: vigil's own contract object, or the body a paging product expects
 * (Alertmanager's {@code /api/v2/alerts}, PagerDuty Events API v2, a Slack incoming webhook), made from that object.
 */
package io.vigil.server.delivery.format;
