// Signs a build for the self-update: writes <file>.sha256 (sha256sum format) and <file>.sig (the
// base64 detached Ed25519 signature of the file's bytes).
// Usage: java SignBuild.java <pkcs8-base64-private-key-file> <file> [base64 X.509 public key]
// With a public key, the signature must verify under it (a release: the key the build trusts).
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.HexFormat;

void main(String[] args) throws Exception {
  Path keyFile = Path.of(args[0]);
  Path file = Path.of(args[1]);
  PrivateKey key =
      KeyFactory.getInstance("Ed25519")
          .generatePrivate(
              new PKCS8EncodedKeySpec(
                  Base64.getDecoder().decode(Files.readString(keyFile).strip())));
  byte[] bytes = Files.readAllBytes(file);
  Signature signer = Signature.getInstance("Ed25519");
  signer.initSign(key);
  signer.update(bytes);
  byte[] signature = signer.sign();
  if (args.length > 2) {
    Signature verifier = Signature.getInstance("Ed25519");
    verifier.initVerify(
        KeyFactory.getInstance("Ed25519")
            .generatePublic(new X509EncodedKeySpec(Base64.getDecoder().decode(args[2].strip()))));
    verifier.update(bytes);
    if (!verifier.verify(signature)) {
      System.err.println("SignBuild: the signing key is not the private half of the trusted key");
      System.exit(1);
    }
  }
  String name = file.getFileName().toString();
  Files.writeString(
      file.resolveSibling(name + ".sig"),
      Base64.getEncoder().encodeToString(signature) + "\n",
      StandardCharsets.US_ASCII);
  String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
  Files.writeString(
      file.resolveSibling(name + ".sha256"), sha + "  " + name + "\n", StandardCharsets.US_ASCII);
}
