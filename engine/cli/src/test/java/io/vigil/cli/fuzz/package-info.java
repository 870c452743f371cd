/**
 * A fuzz harness for {@code vigil analyze}: seed clips made with ffmpeg in many containers and codecs, mutated
 * (zzuf and structural cuts, flips and TS packet damage), analysed in forked JVMs under a timeout (a batch of inputs
 * per JVM, or what a batch cannot pin to one input each in its own) and judged
 * handled (the contract's exit codes with a summary or an error object, the events keeping their invariants) or a
 * defect (a crash, a hang, a stack trace, a missing summary). {@code bench/fuzz.sh} runs it at scale; a few dozen
 * inputs run in CI.
 */
package io.vigil.cli.fuzz;
