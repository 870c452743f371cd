/**
 * Pictures matched against references (OpenCV): a stream's logo found on the small picture vigil makes of a frame,
 * and slates or no-signal cards recognised from a library; a few checks per second, not every frame. Only
 * {@link io.vigil.kernels.picture.GrayImage} calls OpenCV, and owns each of its native pictures.
 */
package io.vigil.kernels.picture;
