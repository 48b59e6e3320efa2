/**
 * Helpers for engines that run an external program (sd-cli, llama-server): finding the program,
 * reading its output line by line with a bounded tail, and stopping its whole process tree.
 *
 * <p>JDK types only, like the rest of the plugin API.
 */
package org.studioworker.spi.process;
