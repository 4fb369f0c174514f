-- Avatars users chose with <button open-type="chooseAvatar">, stored by the SHA-256 of their bytes, so the URL of
-- one image never changes and may be cached forever. wx_user.avatar_url points at /api/v1/avatars/<sha256>.
CREATE TABLE user_avatar (
  sha256       CHAR(64)     CHARACTER SET ascii COLLATE ascii_bin NOT NULL PRIMARY KEY,
  content_type VARCHAR(32)  CHARACTER SET ascii NOT NULL,
  bytes        MEDIUMBLOB   NOT NULL,
  created_at   TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
