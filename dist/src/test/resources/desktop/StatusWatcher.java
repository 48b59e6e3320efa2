import org.freedesktop.dbus.annotations.DBusInterfaceName;
import org.freedesktop.dbus.connections.impl.DBusConnection;
import org.freedesktop.dbus.connections.impl.DBusConnectionBuilder;
import org.freedesktop.dbus.interfaces.DBusInterface;

/**
 * A StatusNotifierWatcher, as a panel runs one, for DesktopUiIT: owns the watcher's name on the
 * bus of DBUS_SESSION_BUS_ADDRESS and prints "registered <service>" for every item that registers.
 * Run as a single-file program against the installed lib/ (dbus-java).
 */
public class StatusWatcher {
  @DBusInterfaceName("org.kde.StatusNotifierWatcher")
  public interface Watcher extends DBusInterface {
    void RegisterStatusNotifierItem(String service);
  }

  public static final class Recorder implements Watcher {
    @Override
    public void RegisterStatusNotifierItem(String service) {
      System.out.println("registered " + service);
      System.out.flush();
    }

    @Override
    public String getObjectPath() {
      return "/StatusNotifierWatcher";
    }
  }

  public static void main(String[] args) throws Exception {
    DBusConnection bus =
        DBusConnectionBuilder.forAddress(System.getenv("DBUS_SESSION_BUS_ADDRESS")).build();
    bus.exportObject("/StatusNotifierWatcher", new Recorder());
    bus.requestBusName("org.kde.StatusNotifierWatcher");
    System.out.println("watcher up");
    System.out.flush();
    Thread.currentThread().join(); // until the test ends this process
  }
}
