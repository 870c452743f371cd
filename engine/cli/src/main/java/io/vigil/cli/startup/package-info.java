/** The training run that the {@code ./vigil} launcher records its start-up (AOT) cache from. */
package io.vigil.cli.startup;
