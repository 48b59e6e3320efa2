/**
 * Whether the person at this computer is using it: the idle time of the desktop session, read from
 * the X server or the desktop's idle monitor, for {@code only_when_idle}.
 */
@org.jspecify.annotations.NullMarked
package org.studioworker.runtime.presence;
