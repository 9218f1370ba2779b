/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "sp-game-private.h"
#include "sp-exclude.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>

#include "sp-game-path.h"
#include "sp-keyfile.h"
#include "sp-library.h"
#include "sp-slug.h"
#include "sp-wine-prefix.h"
#include "common/sp-util.h"

G_DEFINE_FINAL_TYPE (SpGame, sp_game, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_SLUG,
  PROP_PATH,
  PROP_BASE_PATH,
  PROP_READ_ONLY,
  PROP_NAME,
  PROP_KIND,
  PROP_EXECUTABLE,
  PROP_ARGUMENTS,
  PROP_WORKING_DIRECTORY,
  PROP_ENVIRONMENT,
  PROP_RUNNER,
  PROP_HOME,
  PROP_ICON,
  PROP_HEAD,
  PROP_CHECKPOINTS,
  PROP_PLAY_TIME,
  PROP_LAST_PLAYED,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static const GEnumValue kind_values[] = {
  { SP_GAME_KIND_NATIVE, "SP_GAME_KIND_NATIVE", "native" },
  { SP_GAME_KIND_WINE, "SP_GAME_KIND_WINE", "wine" },
  { 0, NULL, NULL },
};

GType
sp_game_kind_get_type (void)
{
  static gsize type_id = 0;

  if (g_once_init_enter (&type_id))
    {
      GType t = g_enum_register_static (g_intern_static_string ("SpGameKind"), kind_values);
      g_once_init_leave (&type_id, t);
    }
  return type_id;
}

const char *
sp_game_kind_to_string (SpGameKind kind)
{
  return kind == SP_GAME_KIND_WINE ? "wine" : "native";
}

gboolean
sp_game_kind_from_string (const char *str,
                          SpGameKind *out_kind)
{
  if (g_strcmp0 (str, "wine") == 0)
    *out_kind = SP_GAME_KIND_WINE;
  else if (g_strcmp0 (str, "native") == 0)
    *out_kind = SP_GAME_KIND_NATIVE;
  else
    return FALSE;
  return TRUE;
}

void
sp_verify_problem_free (SpVerifyProblem *problem)
{
  if (problem == NULL)
    return;
  g_free (problem->checkpoint_id);
  g_free (problem->path);
  g_clear_error (&problem->error);
  g_free (problem);
}

static void
checkpoints_changed_cb (GListModel *model,
                        guint       position,
                        guint       removed,
                        guint       added,
                        SpGame     *self)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PLAY_TIME]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LAST_PLAYED]);
}

static void
sp_game_finalize (GObject *object)
{
  SpGame *self = (SpGame *)object;

  g_clear_pointer (&self->path, g_free);
  g_clear_pointer (&self->slug, g_free);
  g_clear_pointer (&self->uuid, g_free);
  g_clear_pointer (&self->base_path, g_free);
  g_clear_pointer (&self->checkpoints_path, g_free);
  g_clear_pointer (&self->ini_path, g_free);
  g_assert (g_queue_is_empty (&self->pending_writes));
  g_clear_pointer (&self->key_file, g_key_file_unref);
  g_clear_pointer (&self->info, sp_game_info_free);
  g_clear_pointer (&self->head, g_free);
  g_clear_pointer (&self->exclude, g_strfreev);
  g_clear_object (&self->checkpoints);
  g_clear_pointer (&self->problems, g_ptr_array_unref);
  g_clear_pointer (&self->replaced_links, g_strfreev);

  G_OBJECT_CLASS (sp_game_parent_class)->finalize (object);
}

static void
sp_game_get_property (GObject    *object,
                      guint       prop_id,
                      GValue     *value,
                      GParamSpec *pspec)
{
  SpGame *self = SP_GAME (object);

  switch (prop_id)
    {
    case PROP_SLUG:
      g_value_set_string (value, self->slug);
      break;
    case PROP_PATH:
      g_value_set_string (value, self->path);
      break;
    case PROP_BASE_PATH:
      g_value_set_string (value, self->base_path);
      break;
    case PROP_READ_ONLY:
      g_value_set_boolean (value, self->read_only);
      break;
    case PROP_NAME:
      g_value_set_string (value, self->info->name);
      break;
    case PROP_KIND:
      g_value_set_enum (value, self->info->kind);
      break;
    case PROP_EXECUTABLE:
      g_value_set_string (value, self->info->executable);
      break;
    case PROP_ARGUMENTS:
      g_value_set_boxed (value, self->info->arguments);
      break;
    case PROP_WORKING_DIRECTORY:
      g_value_set_string (value, self->info->working_directory);
      break;
    case PROP_ENVIRONMENT:
      g_value_set_boxed (value, self->info->environment);
      break;
    case PROP_RUNNER:
      g_value_set_string (value, self->info->runner);
      break;
    case PROP_HOME:
      g_value_set_string (value, self->info->home);
      break;
    case PROP_ICON:
      g_value_set_string (value, self->info->icon);
      break;
    case PROP_HEAD:
      g_value_set_string (value, self->head);
      break;
    case PROP_CHECKPOINTS:
      g_value_set_object (value, self->checkpoints);
      break;
    case PROP_PLAY_TIME:
      g_value_set_int64 (value, sp_game_get_play_time (self));
      break;
    case PROP_LAST_PLAYED:
      g_value_set_boxed (value, sp_game_get_last_played (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sp_game_set_property (GObject      *object,
                      guint         prop_id,
                      const GValue *value,
                      GParamSpec   *pspec)
{
  SpGame *self = SP_GAME (object);

  switch (prop_id)
    {
    case PROP_NAME:
      sp_game_set_name (self, g_value_get_string (value));
      break;
    case PROP_KIND:
      sp_game_set_kind (self, g_value_get_enum (value));
      break;
    case PROP_EXECUTABLE:
      sp_game_set_executable (self, g_value_get_string (value));
      break;
    case PROP_ARGUMENTS:
      sp_game_set_arguments (self, g_value_get_boxed (value));
      break;
    case PROP_WORKING_DIRECTORY:
      sp_game_set_working_directory (self, g_value_get_string (value));
      break;
    case PROP_ENVIRONMENT:
      sp_game_set_environment (self, g_value_get_boxed (value));
      break;
    case PROP_RUNNER:
      sp_game_set_runner (self, g_value_get_string (value));
      break;
    case PROP_HOME:
      sp_game_set_home (self, g_value_get_string (value));
      break;
    case PROP_ICON:
      sp_game_set_icon (self, g_value_get_string (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sp_game_class_init (SpGameClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags ro = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;
  GParamFlags rw = G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;

  object_class->finalize = sp_game_finalize;
  object_class->get_property = sp_game_get_property;
  object_class->set_property = sp_game_set_property;

  properties[PROP_SLUG] = g_param_spec_string ("slug", NULL, NULL, NULL, ro);
  properties[PROP_PATH] = g_param_spec_string ("path", NULL, NULL, NULL, ro);
  properties[PROP_BASE_PATH] = g_param_spec_string ("base-path", NULL, NULL, NULL, ro);
  properties[PROP_READ_ONLY] = g_param_spec_boolean ("read-only", NULL, NULL, FALSE, ro);
  properties[PROP_NAME] = g_param_spec_string ("name", NULL, NULL, NULL, rw);
  properties[PROP_KIND] = g_param_spec_enum ("kind", NULL, NULL, SP_TYPE_GAME_KIND,
                                             SP_GAME_KIND_NATIVE, rw);
  properties[PROP_EXECUTABLE] = g_param_spec_string ("executable", NULL, NULL, NULL, rw);
  properties[PROP_ARGUMENTS] = g_param_spec_boxed ("arguments", NULL, NULL, G_TYPE_STRV, rw);
  properties[PROP_WORKING_DIRECTORY] = g_param_spec_string ("working-directory", NULL, NULL, NULL, rw);
  properties[PROP_ENVIRONMENT] = g_param_spec_boxed ("environment", NULL, NULL, G_TYPE_STRV, rw);
  properties[PROP_RUNNER] = g_param_spec_string ("runner", NULL, NULL, NULL, rw);
  properties[PROP_HOME] = g_param_spec_string ("home", NULL, NULL, NULL, rw);
  properties[PROP_ICON] = g_param_spec_string ("icon", NULL, NULL, NULL, rw);
  properties[PROP_HEAD] = g_param_spec_string ("head", NULL, NULL, NULL, ro);
  properties[PROP_CHECKPOINTS] = g_param_spec_object ("checkpoints", NULL, NULL, G_TYPE_LIST_MODEL, ro);
  properties[PROP_PLAY_TIME] = g_param_spec_int64 ("play-time", NULL, NULL, 0, G_MAXINT64, 0, ro);
  properties[PROP_LAST_PLAYED] = g_param_spec_boxed ("last-played", NULL, NULL, G_TYPE_DATE_TIME, ro);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
sp_game_init (SpGame *self)
{
  self->checkpoints = g_list_store_new (SP_TYPE_CHECKPOINT);
  g_signal_connect (self->checkpoints, "items-changed",
                    G_CALLBACK (checkpoints_changed_cb), self);
  self->info = sp_game_info_copy (&(SpGameInfo) { 0 });
  self->problems = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (self->problems, NULL);
  g_queue_init (&self->pending_writes);
  self->exclude = g_new0 (char *, 1);
  self->exclude_defaults = TRUE;
}

static void
add_problem (SpGame     *self,
             const char *message)
{
  g_ptr_array_insert (self->problems, self->problems->len - 1, g_strdup (message));
}

gboolean
_sp_game_check_writable (SpGame  *self,
                         GError **error)
{
  if (!self->read_only)
    return TRUE;
  g_set_error (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_READ_ONLY,
               _("The game “%s” is in a library opened read-only (it was written by a newer "
                 "Savepoint); nothing was changed. Update Savepoint to change it."),
               self->path);
  return FALSE;
}

/* Exclude= and ExcludeDefaults= (sp-exclude.h). A pattern from the drive
 * that could reach outside the game or leave out everything refuses the
 * game with its line, like the paths. */
static gboolean
load_exclusions (SpGame    *self,
                 GKeyFile  *kf,
                 GError   **error)
{
  g_auto(GStrv) exclude = NULL;
  gboolean defaults = TRUE;

  if (g_key_file_has_key (kf, GAME_GROUP, "Exclude", NULL))
    {
      g_autoptr(GError) local_error = NULL;
      gsize n = 0;

      exclude = g_key_file_get_string_list (kf, GAME_GROUP, "Exclude", &n, &local_error);
      if (exclude == NULL && local_error != NULL)
        {
          sp_key_file_set_error (error, self->ini_path, NULL, GAME_GROUP, "Exclude",
                                 "%s", local_error->message);
          return FALSE;
        }
      if (n > SP_EXCLUDE_MAX_PATTERNS)
        {
          sp_key_file_set_error (error, self->ini_path, NULL, GAME_GROUP, "Exclude",
                                 _("Exclude holds %u patterns; at most %d are allowed."),
                                 (guint) MIN (n, G_MAXUINT), SP_EXCLUDE_MAX_PATTERNS);
          return FALSE;
        }
      for (guint i = 0; exclude != NULL && exclude[i] != NULL; i++)
        {
          g_autoptr(GError) pattern_error = NULL;

          if (!sp_exclude_pattern_is_valid (exclude[i], &pattern_error))
            {
              sp_key_file_set_error (error, self->ini_path, NULL, GAME_GROUP, "Exclude",
                                     _("The pattern “%s” is not allowed: %s"), exclude[i],
                                     pattern_error->message);
              return FALSE;
            }
        }
    }
  if (g_key_file_has_key (kf, GAME_GROUP, "ExcludeDefaults", NULL))
    {
      g_autoptr(GError) local_error = NULL;

      defaults = g_key_file_get_boolean (kf, GAME_GROUP, "ExcludeDefaults", &local_error);
      if (local_error != NULL)
        {
          sp_key_file_set_error (error, self->ini_path, NULL, GAME_GROUP, "ExcludeDefaults",
                                 _("ExcludeDefaults must be “true” or “false”."));
          return FALSE;
        }
    }

  g_strfreev (self->exclude);
  self->exclude = exclude != NULL ? g_steal_pointer (&exclude) : g_new0 (char *, 1);
  self->exclude_defaults = defaults;
  return TRUE;
}

static gboolean
load_ini (SpGame  *self,
          GError **error)
{
  g_autoptr(GKeyFile) kf = NULL;
  g_autofree char *name = NULL;
  g_autofree char *kind = NULL;
  SpGameKind k = SP_GAME_KIND_NATIVE;
  g_auto(GStrv) arguments = NULL;
  g_auto(GStrv) environment = NULL;

  kf = sp_key_file_load (self->ini_path, error);
  if (kf == NULL)
    return FALSE;

  name = sp_key_file_get_string_required (kf, self->ini_path, GAME_GROUP, "Name", error);
  if (name == NULL)
    return FALSE;
  kind = sp_key_file_get_string_or_null (kf, GAME_GROUP, "Kind");
  if (kind != NULL && !sp_game_kind_from_string (g_strstrip (kind), &k))
    {
      sp_key_file_set_error (error, self->ini_path, NULL, GAME_GROUP, "Kind",
                             _("Kind must be “wine” or “native”, not “%s”."), kind);
      return FALSE;
    }
  if (g_key_file_has_key (kf, GAME_GROUP, "Arguments", NULL))
    {
      g_autoptr(GError) local_error = NULL;

      arguments = g_key_file_get_string_list (kf, GAME_GROUP, "Arguments", NULL, &local_error);
      if (arguments == NULL && local_error != NULL)
        {
          sp_key_file_set_error (error, self->ini_path, NULL, GAME_GROUP, "Arguments",
                                 "%s", local_error->message);
          return FALSE;
        }
    }
  if (g_key_file_has_key (kf, GAME_GROUP, "Environment", NULL))
    {
      g_autoptr(GError) local_error = NULL;

      environment = g_key_file_get_string_list (kf, GAME_GROUP, "Environment", NULL, &local_error);
      if (environment == NULL && local_error != NULL)
        {
          sp_key_file_set_error (error, self->ini_path, NULL, GAME_GROUP, "Environment",
                                 "%s", local_error->message);
          return FALSE;
        }
      for (guint i = 0; environment[i] != NULL; i++)
        {
          const char *eq = strchr (environment[i], '=');
          if (eq == NULL || eq == environment[i])
            {
              sp_key_file_set_error (error, self->ini_path, NULL, GAME_GROUP, "Environment",
                                     _("“%s” is not of the form KEY=VALUE."), environment[i]);
              return FALSE;
            }
        }
    }

  {
    g_autofree char *uuid = sp_key_file_get_string_or_null (kf, GAME_GROUP, "Uuid");

    if (uuid != NULL && !g_uuid_string_is_valid (g_strstrip (uuid)))
      {
        sp_key_file_set_error (error, self->ini_path, NULL, GAME_GROUP, "Uuid",
                               _("“%s” is not a UUID. Remove the line: Savepoint writes a new "
                                 "one."), uuid);
        return FALSE;
      }
    /* One made up for the next write stays until then. */
    if (uuid != NULL)
      {
        g_free (self->uuid);
        self->uuid = g_ascii_strdown (uuid, -1);
      }
  }

  g_free (self->head);
  self->head = sp_key_file_get_string_or_null (kf, STATE_GROUP, "Head");
  if (self->head != NULL && !sp_checkpoint_id_is_valid (g_strstrip (self->head)))
    {
      sp_key_file_set_error (error, self->ini_path, NULL, STATE_GROUP, "Head",
                             _("“%s” is not a checkpoint id. Clear Head to start from the "
                               "clean install."), self->head);
      g_clear_pointer (&self->head, g_free);
      return FALSE;
    }

  if (!load_exclusions (self, kf, error))
    return FALSE;

  {
    g_autofree char *executable = sp_key_file_get_string_or_null (kf, GAME_GROUP, "Executable");
    g_autofree char *working_directory =
      sp_key_file_get_string_or_null (kf, GAME_GROUP, "WorkingDirectory");
    g_autofree char *runner = sp_key_file_get_string_or_null (kf, GAME_GROUP, "Runner");
    g_autofree char *home = sp_key_file_get_string_or_null (kf, GAME_GROUP, "Home");
    g_autofree char *icon = sp_key_file_get_string_or_null (kf, GAME_GROUP, "Icon");
    g_autofree char *wine_user = NULL;
    g_autofree char *wine_version = sp_key_file_get_string_or_null (kf, GAME_GROUP,
                                                                    "WineVersion");
    SpGameInfo loaded = {
      .name = name,
      .kind = k,
      .executable = executable,
      .arguments = (const char * const *) arguments,
      .working_directory = working_directory,
      .environment = (const char * const *) environment,
      .runner = runner,
      .home = home,
      .icon = icon,
      .wine_user = NULL,
    };

    /* The profile name becomes $USER of every session, and Wine makes it a
     * folder name: a bad one is refused, not kept (unlike the paths, nothing
     * in the app edits it). An empty value is refused too: Savepoint never
     * writes one. */
    if (g_key_file_has_key (kf, GAME_GROUP, "WineUser", NULL))
      {
        g_autoptr(GError) user_error = NULL;

        wine_user = g_key_file_get_string (kf, GAME_GROUP, "WineUser", &user_error);
        if (wine_user == NULL || !sp_wine_user_is_valid (wine_user, &user_error))
          {
            sp_key_file_set_error (error, self->ini_path, NULL, GAME_GROUP, "WineUser",
                                   _("WineUser is not allowed: %s Write the name of the "
                                     "prefix’s profile folder (drive_c/users/NAME), or remove "
                                     "the line."), user_error->message);
            return FALSE;
          }
        loaded.wine_user = wine_user;
      }
    /* Only compared and shown: one that is not a version (from a hostile
     * or damaged drive) counts as unknown, and the next write drops it. */
    if (wine_version != NULL && sp_wine_version_is_valid (wine_version))
      loaded.wine_version = wine_version;

    g_clear_pointer (&self->info, sp_game_info_free);
    self->info = sp_game_info_copy (&loaded);
  }

  g_clear_pointer (&self->key_file, g_key_file_unref);
  self->key_file = g_steal_pointer (&kf);
  return TRUE;
}

static int
compare_ptr_cb (gconstpointer a,
                gconstpointer b,
                gpointer      user_data)
{
  return sp_checkpoint_compare (*(gpointer *)a, *(gpointer *)b, user_data);
}

static void
load_checkpoints (SpGame *self)
{
  g_autoptr(GDir) dir = NULL;
  g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GError) error = NULL;
  const char *name;
  GStatBuf st;

  /* A link could show another game's checkpoints (or any folder) as ours. */
  if (g_lstat (self->checkpoints_path, &st) == 0 && !S_ISDIR (st.st_mode))
    {
      g_autofree char *msg =
        g_strdup_printf (S_ISLNK (st.st_mode)
                         ? _("“%s” is a symbolic link, not a folder: no checkpoint of this "
                             "game is loaded. Replace the link with the folder itself.")
                         : _("“%s” is not a folder: no checkpoint of this game is loaded. "
                             "Move it away."),
                         self->checkpoints_path);
      add_problem (self, msg);
    }
  else
    dir = g_dir_open (self->checkpoints_path, 0, &error);
  if (dir == NULL && error != NULL && !g_error_matches (error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
    add_problem (self, error->message);

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *id = NULL;
      g_autofree char *ini = NULL;
      g_autoptr(GError) local_error = NULL;
      SpCheckpoint *checkpoint;

      /* Only "<id>.ini": temporary files of atomic writes ("<id>.ini.XXXXXX"),
       * ".partial" archives and orphan archives are not checkpoints. */
      if (!g_str_has_suffix (name, ".ini"))
        continue;
      id = g_strndup (name, strlen (name) - 4);
      if (!sp_checkpoint_id_is_valid (id))
        continue;
      ini = g_build_filename (self->checkpoints_path, name, NULL);
      checkpoint = sp_checkpoint_load (ini, &local_error);
      if (checkpoint == NULL)
        {
          add_problem (self, local_error->message);
          continue;
        }
      g_ptr_array_add (items, checkpoint);
    }

  /* sort_with_data hands the compare function pointers to the elements. */
  g_ptr_array_sort_with_data (items, compare_ptr_cb, NULL);
  g_list_store_splice (self->checkpoints, 0,
                       g_list_model_get_n_items (G_LIST_MODEL (self->checkpoints)),
                       items->pdata, items->len);
}

static void
notify_all (SpGame *self)
{
  g_object_freeze_notify (G_OBJECT (self));
  for (guint i = PROP_NAME; i <= PROP_HEAD; i++)
    g_object_notify_by_pspec (G_OBJECT (self), properties[i]);
  g_object_thaw_notify (G_OBJECT (self));
}

/* The paths of game.ini stay inside the game (design.md, "Trust"): a
 * value that breaks the rule (sp_game_path_is_valid()) is kept, so the user
 * can see and correct it, and listed as a problem; sessions refuse it. */
static const char * const game_path_keys[] = { "Executable", "WorkingDirectory", "Home", "Icon" };

static const char *
game_path_value (SpGame *self,
                 guint   i)
{
  const char *values[] = { self->info->executable, self->info->working_directory,
                           self->info->home, self->info->icon };

  G_STATIC_ASSERT (G_N_ELEMENTS (values) == G_N_ELEMENTS (game_path_keys));
  return values[i];
}

static void
check_paths (SpGame *self)
{
  for (guint i = 0; i < G_N_ELEMENTS (game_path_keys); i++)
    {
      const char *value = game_path_value (self, i);
      g_autoptr(GError) path_error = NULL;
      g_autoptr(GError) error = NULL;

      if (value == NULL || value[0] == '\0' || sp_game_path_is_valid (value, &path_error))
        continue;
      if (g_str_equal (game_path_keys[i], "Icon"))
        sp_key_file_set_error (&error, self->ini_path, NULL, GAME_GROUP, game_path_keys[i],
                               _("Icon is not allowed: %s The icon is not shown."),
                               path_error->message);
      else
        sp_key_file_set_error (&error, self->ini_path, NULL, GAME_GROUP, game_path_keys[i],
                               _("%s is not allowed: %s The game cannot be played until it is "
                                 "corrected in its properties."),
                               game_path_keys[i], path_error->message);
      add_problem (self, error->message);
    }
}

static void
check_head (SpGame *self)
{
  if (self->head != NULL && sp_game_find_checkpoint (self, self->head) == NULL)
    {
      g_autofree char *msg =
        g_strdup_printf (_("%s: Head is “%s” but there is no such checkpoint. Restore another "
                           "checkpoint or the clean install."), self->ini_path, self->head);
      add_problem (self, msg);
    }
}

gboolean
sp_game_reload (SpGame  *self,
                GError **error)
{
  g_return_val_if_fail (SP_IS_GAME (self), FALSE);

  if (!load_ini (self, error))
    return FALSE;
  g_ptr_array_set_size (self->problems, 0);
  g_ptr_array_add (self->problems, NULL);
  load_checkpoints (self);
  check_head (self);
  check_paths (self);
  notify_all (self);
  return TRUE;
}

SpGame *
sp_game_load (const char  *path,
              gboolean     read_only,
              GError     **error)
{
  g_autoptr(SpGame) self = NULL;
  GStatBuf st = { 0 };

  g_return_val_if_fail (path != NULL, NULL);

  self = g_object_new (SP_TYPE_GAME, NULL);
  self->path = g_strdup (path);
  self->slug = g_path_get_basename (path);
  /* The slug names the game's run and mount folders on this computer. */
  if (!sp_slug_is_valid (self->slug))
    {
      g_autofree char *shown = g_utf8_make_valid (path, -1);

      g_set_error (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_INVALID,
                   _("“%s” is not a valid game folder name (lower-case letters a–z, "
                     "digits and single dashes, at most %d characters); it is not "
                     "loaded. Rename the folder to load it."),
                   shown, SP_SLUG_MAX_LENGTH);
      return NULL;
    }
  if (g_lstat (path, &st) != 0 || !S_ISDIR (st.st_mode))
    {
      g_set_error (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_INVALID,
                   S_ISLNK (st.st_mode)
                   ? _("“%s” is a symbolic link, not a game folder; it is not loaded. "
                       "Replace the link with the folder itself.")
                   : _("“%s” is not a game folder."), path);
      return NULL;
    }
  self->base_path = g_build_filename (path, "base", NULL);
  self->checkpoints_path = g_build_filename (path, "checkpoints", NULL);
  self->ini_path = g_build_filename (path, "game.ini", NULL);
  self->read_only = read_only;

  if (!load_ini (self, error))
    return NULL;
  load_checkpoints (self);
  check_head (self);
  check_paths (self);
  return g_steal_pointer (&self);
}

/* Validates the object and returns the text of game.ini with Head = @head,
 * keeping unknown keys, groups and comments. Main thread; writes nothing. */
char *
_sp_game_build_ini (SpGame      *self,
                    const char  *head,
                    GError     **error)
{
  GKeyFile *kf;

  if (!_sp_game_check_writable (self, error))
    return NULL;
  if (self->info->name == NULL)
    {
      g_set_error (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_INVALID,
                   _("The game in “%s” needs a name; nothing was saved."), self->path);
      return NULL;
    }
  for (guint i = 0; self->info->environment[i] != NULL; i++)
    {
      const char *entry = self->info->environment[i];
      const char *eq = strchr (entry, '=');

      if (eq == NULL || eq == entry)
        {
          g_set_error (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_INVALID,
                       _("The environment entry “%s” of “%s” is not of the form KEY=VALUE; "
                         "nothing was saved."), entry, self->info->name);
          return NULL;
        }
    }
  for (guint i = 0; i < G_N_ELEMENTS (game_path_keys); i++)
    {
      const char *value = game_path_value (self, i);
      g_autoptr(GError) path_error = NULL;

      if (value != NULL && value[0] != '\0' && !sp_game_path_is_valid (value, &path_error))
        {
          g_set_error (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_INVALID,
                       _("The %s setting of “%s” is not allowed: %s Nothing was saved."),
                       game_path_keys[i], self->info->name, path_error->message);
          return NULL;
        }
    }
  if (self->key_file == NULL)
    self->key_file = g_key_file_new ();
  kf = self->key_file;

  _sp_game_info_to_key_file (self->info, kf);
  if (self->exclude[0] != NULL)
    g_key_file_set_string_list (kf, GAME_GROUP, "Exclude", (const char * const *) self->exclude,
                                g_strv_length (self->exclude));
  else
    g_key_file_remove_key (kf, GAME_GROUP, "Exclude", NULL);
  if (!self->exclude_defaults)
    g_key_file_set_boolean (kf, GAME_GROUP, "ExcludeDefaults", FALSE);
  else
    g_key_file_remove_key (kf, GAME_GROUP, "ExcludeDefaults", NULL);
  g_key_file_set_string (kf, GAME_GROUP, "Uuid", _sp_game_ensure_uuid (self));
  g_key_file_set_string (kf, STATE_GROUP, "Head", head ? head : "");

  return g_key_file_to_data (kf, NULL, NULL);
}

/* Accessors */

#define STRING_ACCESSORS(field, prop)                                   \
const char *                                                            \
sp_game_get_##field (SpGame *self)                                      \
{                                                                       \
  g_return_val_if_fail (SP_IS_GAME (self), NULL);                       \
  return self->info->field;                                             \
}                                                                       \
void                                                                    \
sp_game_set_##field (SpGame     *self,                                  \
                     const char *value)                                 \
{                                                                       \
  g_return_if_fail (SP_IS_GAME (self));                                 \
  if (value != NULL && *value == '\0')                                  \
    value = NULL;                                                       \
  if (g_strcmp0 (self->info->field, value) == 0)                        \
    return;                                                             \
  g_free ((char *) self->info->field);                                  \
  self->info->field = g_strdup (value);                                 \
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop]);         \
}

STRING_ACCESSORS (name, PROP_NAME)
STRING_ACCESSORS (executable, PROP_EXECUTABLE)
STRING_ACCESSORS (working_directory, PROP_WORKING_DIRECTORY)
STRING_ACCESSORS (runner, PROP_RUNNER)
STRING_ACCESSORS (home, PROP_HOME)
STRING_ACCESSORS (icon, PROP_ICON)

#undef STRING_ACCESSORS

const char *
sp_game_get_wine_version (SpGame *self)
{
  g_return_val_if_fail (SP_IS_GAME (self), NULL);
  return self->info->wine_version;
}

void
sp_game_set_wine_version (SpGame     *self,
                          const char *version)
{
  g_return_if_fail (SP_IS_GAME (self));
  g_return_if_fail (version == NULL || sp_wine_version_is_valid (version));

  if (g_strcmp0 (self->info->wine_version, version) == 0)
    return;
  g_free ((char *) self->info->wine_version);
  self->info->wine_version = g_strdup (version);
}

const char * const *
sp_game_get_replaced_links (SpGame *self)
{
  static const char * const none[] = { NULL };

  g_return_val_if_fail (SP_IS_GAME (self), NULL);
  return self->replaced_links != NULL ? (const char * const *) self->replaced_links : none;
}

void
_sp_game_set_replaced_links (SpGame             *self,
                             const char * const *links)
{
  g_strfreev (self->replaced_links);
  self->replaced_links = g_strdupv ((char **) links);
}

const char *
sp_game_get_wine_user (SpGame *self)
{
  g_return_val_if_fail (SP_IS_GAME (self), NULL);
  return self->info->wine_user;
}

static gboolean
strv_equal0 (const char * const *a,
             const char * const *b)
{
  static const char *empty[] = { NULL };

  return g_strv_equal (a ? a : empty, b ? b : empty);
}

const char * const *
sp_game_get_arguments (SpGame *self)
{
  g_return_val_if_fail (SP_IS_GAME (self), NULL);
  return self->info->arguments;
}

void
sp_game_set_arguments (SpGame             *self,
                       const char * const *arguments)
{
  g_return_if_fail (SP_IS_GAME (self));
  if (strv_equal0 (self->info->arguments, arguments))
    return;
  g_strfreev ((char **) self->info->arguments);
  self->info->arguments = (const char * const *) (arguments ? g_strdupv ((char **) arguments)
                                                            : g_new0 (char *, 1));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ARGUMENTS]);
}

const char * const *
sp_game_get_environment (SpGame *self)
{
  g_return_val_if_fail (SP_IS_GAME (self), NULL);
  return self->info->environment;
}

void
sp_game_set_environment (SpGame             *self,
                         const char * const *environment)
{
  g_return_if_fail (SP_IS_GAME (self));
  if (strv_equal0 (self->info->environment, environment))
    return;
  g_strfreev ((char **) self->info->environment);
  self->info->environment = (const char * const *) (environment ? g_strdupv ((char **) environment)
                                                                : g_new0 (char *, 1));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ENVIRONMENT]);
}

SpGameKind
sp_game_get_kind (SpGame *self)
{
  g_return_val_if_fail (SP_IS_GAME (self), SP_GAME_KIND_NATIVE);
  return self->info->kind;
}

void
sp_game_set_kind (SpGame     *self,
                  SpGameKind  kind)
{
  g_return_if_fail (SP_IS_GAME (self));
  if (self->info->kind == kind)
    return;
  self->info->kind = kind;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_KIND]);
}

const SpGameInfo *
sp_game_get_info (SpGame *self)
{
  g_return_val_if_fail (SP_IS_GAME (self), NULL);
  return self->info;
}

const char *
sp_game_get_slug (SpGame *self)
{
  g_return_val_if_fail (SP_IS_GAME (self), NULL);
  return self->slug;
}

const char *
sp_game_get_uuid (SpGame *self)
{
  g_return_val_if_fail (SP_IS_GAME (self), NULL);
  return self->uuid;
}

/* The game's Uuid, made up now if game.ini has none; the next write of
 * game.ini records it (_sp_game_build_ini()). Main thread. */
const char *
_sp_game_ensure_uuid (SpGame *self)
{
  if (self->uuid == NULL)
    self->uuid = g_uuid_string_random ();
  return self->uuid;
}

const char *
sp_game_get_path (SpGame *self)
{
  g_return_val_if_fail (SP_IS_GAME (self), NULL);
  return self->path;
}

const char *
sp_game_get_base_path (SpGame *self)
{
  g_return_val_if_fail (SP_IS_GAME (self), NULL);
  return self->base_path;
}

char *
sp_game_lock_path (SpGame *self)
{
  g_return_val_if_fail (SP_IS_GAME (self), NULL);
  return g_build_filename (self->path, "session.lock", NULL);
}

const char *
sp_game_get_checkpoints_path (SpGame *self)
{
  g_return_val_if_fail (SP_IS_GAME (self), NULL);
  return self->checkpoints_path;
}

const char *
sp_game_get_ini_path (SpGame *self)
{
  g_return_val_if_fail (SP_IS_GAME (self), NULL);
  return self->ini_path;
}

gboolean
sp_game_get_read_only (SpGame *self)
{
  g_return_val_if_fail (SP_IS_GAME (self), TRUE);
  return self->read_only;
}

const char * const *
sp_game_get_problems (SpGame *self)
{
  g_return_val_if_fail (SP_IS_GAME (self), NULL);
  return (const char * const *) self->problems->pdata;
}

const char *
sp_game_get_head (SpGame *self)
{
  g_return_val_if_fail (SP_IS_GAME (self), NULL);
  return self->head;
}

SpCheckpoint *
sp_game_get_head_checkpoint (SpGame *self)
{
  g_return_val_if_fail (SP_IS_GAME (self), NULL);
  if (self->head == NULL)
    return NULL;
  return sp_game_find_checkpoint (self, self->head);
}

GListModel *
sp_game_get_checkpoints (SpGame *self)
{
  g_return_val_if_fail (SP_IS_GAME (self), NULL);
  return G_LIST_MODEL (self->checkpoints);
}

SpCheckpoint *
sp_game_find_checkpoint (SpGame     *self,
                         const char *id)
{
  guint n;

  g_return_val_if_fail (SP_IS_GAME (self), NULL);

  if (id == NULL)
    return NULL;
  n = g_list_model_get_n_items (G_LIST_MODEL (self->checkpoints));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(SpCheckpoint) c = g_list_model_get_item (G_LIST_MODEL (self->checkpoints), i);

      if (g_strcmp0 (sp_checkpoint_get_id (c), id) == 0)
        return c;   /* the store keeps a reference */
    }
  return NULL;
}

gint64
sp_game_get_play_time (SpGame *self)
{
  guint n;
  gint64 total = 0;

  g_return_val_if_fail (SP_IS_GAME (self), 0);

  n = g_list_model_get_n_items (G_LIST_MODEL (self->checkpoints));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(SpCheckpoint) c = g_list_model_get_item (G_LIST_MODEL (self->checkpoints), i);
      total += sp_checkpoint_get_play_time (c);
    }
  return total;
}

GDateTime *
sp_game_get_last_played (SpGame *self)
{
  g_autoptr(SpCheckpoint) newest = NULL;

  g_return_val_if_fail (SP_IS_GAME (self), NULL);

  newest = g_list_model_get_item (G_LIST_MODEL (self->checkpoints), 0);
  if (newest == NULL)
    return NULL;
  return sp_checkpoint_get_created (newest);
}

/* Sets Head in the object only (the caller has written game.ini). */
void
_sp_game_set_head (SpGame     *self,
                   const char *head)
{
  if (g_strcmp0 (self->head, head) == 0)
    return;
  g_free (self->head);
  self->head = g_strdup (head);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HEAD]);
}

const char * const *
sp_game_get_exclude (SpGame *self)
{
  g_return_val_if_fail (SP_IS_GAME (self), NULL);
  return (const char * const *) self->exclude;
}

gboolean
sp_game_set_exclude (SpGame              *self,
                     const char * const  *patterns,
                     GError             **error)
{
  guint n = patterns != NULL ? g_strv_length ((char **) patterns) : 0;

  g_return_val_if_fail (SP_IS_GAME (self), FALSE);

  if (n > SP_EXCLUDE_MAX_PATTERNS)
    {
      g_set_error (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_INVALID,
                   _("A game can leave out at most %d patterns."), SP_EXCLUDE_MAX_PATTERNS);
      return FALSE;
    }
  for (guint i = 0; i < n; i++)
    if (!sp_exclude_pattern_is_valid (patterns[i], error))
      return FALSE;
  g_strfreev (self->exclude);
  self->exclude = n > 0 ? g_strdupv ((char **) patterns) : g_new0 (char *, 1);
  return TRUE;
}

gboolean
sp_game_get_exclude_defaults (SpGame *self)
{
  g_return_val_if_fail (SP_IS_GAME (self), TRUE);
  return self->exclude_defaults;
}

void
sp_game_set_exclude_defaults (SpGame   *self,
                              gboolean  use_defaults)
{
  g_return_if_fail (SP_IS_GAME (self));
  self->exclude_defaults = !!use_defaults;
}
