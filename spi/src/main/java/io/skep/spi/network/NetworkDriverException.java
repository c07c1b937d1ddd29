package io.skep.spi.network;

/**
 * A network driver could not do what it was asked. The message names what failed, in the user's terms and then
 * the system's: the network or task, the step, and what the system answered ({@code network "web-net" (id abc,
 * vxlan 4097, 198.18.0.0/24): creating VXLAN device vx-4097 failed: ip link add ... (exit 2): RTNETLINK answers:
 * Address already in use}). The agent shows it as the task's error.
 */
public class NetworkDriverException extends Exception {

    public NetworkDriverException(String message) {
        super(message);
    }

    public NetworkDriverException(String message, Throwable cause) {
        super(message, cause);
    }
}
