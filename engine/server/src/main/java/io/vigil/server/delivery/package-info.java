/**
 * Alarm delivery beyond the process: webhooks with retries and an on-disk spool, so that no alarm is lost, and the
 * JSON-lines log file.
 */
package io.vigil.server.delivery;
