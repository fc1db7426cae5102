"""A user model built on ``AbstractBaseUser`` with other field names (``settings_custom_user``)."""
