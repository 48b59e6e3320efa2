/**
 * Local jobs: the worker's engines for programs on this machine, through the one job gate, and what
 * every job leaves behind (its log, a thumbnail).
 */
@org.jspecify.annotations.NullMarked
package org.studioworker.runtime.localjobs;
