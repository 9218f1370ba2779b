/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "sp-game.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sp-keyfile.h"
#include "sp-library.h"
#include "sp-util.h"

#define GAME_GROUP "Game"
#define STATE_GROUP "State"
#define CHECKPOINT_GROUP "Checkpoint"

struct _SpGame
{
  GObject     parent_instance;

  char       *path;
  char       *slug;
  char       *base_path;
  char       *checkpoints_path;
  char       *ini_path;
  gboolean    read_only;

  GKeyFile   *key_file;     /* as loaded: keeps unknown keys and comments */

  char       *name;
  SpGameKind  kind;
  char       *executable;
  GStrv       arguments;
  char       *working_directory;
  GStrv       environment;
  char       *runner;
  char       *home;
  char       *icon;
  char       *head;

  GListStore *checkpoints;
  GPtrArray  *problems;     /* NULL-terminated array of char* */
};

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
  g_clear_pointer (&self->base_path, g_free);
  g_clear_pointer (&self->checkpoints_path, g_free);
  g_clear_pointer (&self->ini_path, g_free);
  g_clear_pointer (&self->key_file, g_key_file_unref);
  g_clear_pointer (&self->name, g_free);
  g_clear_pointer (&self->executable, g_free);
  g_clear_pointer (&self->arguments, g_strfreev);
  g_clear_pointer (&self->working_directory, g_free);
  g_clear_pointer (&self->environment, g_strfreev);
  g_clear_pointer (&self->runner, g_free);
  g_clear_pointer (&self->home, g_free);
  g_clear_pointer (&self->icon, g_free);
  g_clear_pointer (&self->head, g_free);
  g_clear_object (&self->checkpoints);
  g_clear_pointer (&self->problems, g_ptr_array_unref);

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
      g_value_set_string (value, self->name);
      break;
    case PROP_KIND:
      g_value_set_enum (value, self->kind);
      break;
    case PROP_EXECUTABLE:
      g_value_set_string (value, self->executable);
      break;
    case PROP_ARGUMENTS:
      g_value_set_boxed (value, self->arguments);
      break;
    case PROP_WORKING_DIRECTORY:
      g_value_set_string (value, self->working_directory);
      break;
    case PROP_ENVIRONMENT:
      g_value_set_boxed (value, self->environment);
      break;
    case PROP_RUNNER:
      g_value_set_string (value, self->runner);
      break;
    case PROP_HOME:
      g_value_set_string (value, self->home);
      break;
    case PROP_ICON:
      g_value_set_string (value, self->icon);
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
  self->arguments = g_new0 (char *, 1);
  self->environment = g_new0 (char *, 1);
  self->problems = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (self->problems, NULL);
}

static void
add_problem (SpGame     *self,
             const char *message)
{
  g_ptr_array_insert (self->problems, self->problems->len - 1, g_strdup (message));
}

static gboolean
check_writable (SpGame  *self,
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

  g_free (self->name);
  self->name = g_steal_pointer (&name);
  self->kind = k;
  g_free (self->executable);
  self->executable = sp_key_file_get_string_or_null (kf, GAME_GROUP, "Executable");
  g_strfreev (self->arguments);
  self->arguments = arguments ? g_steal_pointer (&arguments) : g_new0 (char *, 1);
  g_free (self->working_directory);
  self->working_directory = sp_key_file_get_string_or_null (kf, GAME_GROUP, "WorkingDirectory");
  g_strfreev (self->environment);
  self->environment = environment ? g_steal_pointer (&environment) : g_new0 (char *, 1);
  g_free (self->runner);
  self->runner = sp_key_file_get_string_or_null (kf, GAME_GROUP, "Runner");
  g_free (self->home);
  self->home = sp_key_file_get_string_or_null (kf, GAME_GROUP, "Home");
  g_free (self->icon);
  self->icon = sp_key_file_get_string_or_null (kf, GAME_GROUP, "Icon");

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

  dir = g_dir_open (self->checkpoints_path, 0, &error);
  if (dir == NULL && !g_error_matches (error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
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
  notify_all (self);
  return TRUE;
}

SpGame *
sp_game_load (const char  *path,
              gboolean     read_only,
              GError     **error)
{
  g_autoptr(SpGame) self = NULL;

  g_return_val_if_fail (path != NULL, NULL);

  self = g_object_new (SP_TYPE_GAME, NULL);
  self->path = g_strdup (path);
  self->slug = g_path_get_basename (path);
  self->base_path = g_build_filename (path, "base", NULL);
  self->checkpoints_path = g_build_filename (path, "checkpoints", NULL);
  self->ini_path = g_build_filename (path, "game.ini", NULL);
  self->read_only = read_only;

  if (!load_ini (self, error))
    return NULL;
  load_checkpoints (self);
  check_head (self);
  return g_steal_pointer (&self);
}

gboolean
sp_game_save (SpGame  *self,
              GError **error)
{
  GKeyFile *kf;

  g_return_val_if_fail (SP_IS_GAME (self), FALSE);

  if (!check_writable (self, error))
    return FALSE;
  if (self->name == NULL)
    {
      g_set_error (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_INVALID,
                   _("The game in “%s” needs a name; nothing was saved."), self->path);
      return FALSE;
    }
  for (guint i = 0; self->environment[i] != NULL; i++)
    {
      const char *eq = strchr (self->environment[i], '=');

      if (eq == NULL || eq == self->environment[i])
        {
          g_set_error (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_INVALID,
                       _("The environment entry “%s” of “%s” is not of the form KEY=VALUE; "
                         "nothing was saved."), self->environment[i], self->name);
          return FALSE;
        }
    }
  if (self->key_file == NULL)
    self->key_file = g_key_file_new ();
  kf = self->key_file;

  g_key_file_set_string (kf, GAME_GROUP, "Name", self->name ? self->name : "");
  g_key_file_set_string (kf, GAME_GROUP, "Kind", sp_game_kind_to_string (self->kind));
  sp_key_file_set_string_or_remove (kf, GAME_GROUP, "Executable", self->executable);
  if (self->arguments[0] != NULL)
    g_key_file_set_string_list (kf, GAME_GROUP, "Arguments",
                                (const char * const *) self->arguments,
                                g_strv_length (self->arguments));
  else
    g_key_file_remove_key (kf, GAME_GROUP, "Arguments", NULL);
  sp_key_file_set_string_or_remove (kf, GAME_GROUP, "WorkingDirectory", self->working_directory);
  if (self->environment[0] != NULL)
    g_key_file_set_string_list (kf, GAME_GROUP, "Environment",
                                (const char * const *) self->environment,
                                g_strv_length (self->environment));
  else
    g_key_file_remove_key (kf, GAME_GROUP, "Environment", NULL);
  sp_key_file_set_string_or_remove (kf, GAME_GROUP, "Runner", self->runner);
  sp_key_file_set_string_or_remove (kf, GAME_GROUP, "Home", self->home);
  sp_key_file_set_string_or_remove (kf, GAME_GROUP, "Icon", self->icon);
  g_key_file_set_string (kf, STATE_GROUP, "Head", self->head ? self->head : "");

  return sp_key_file_save (kf, self->ini_path, error);
}

/* Accessors */

#define STRING_ACCESSORS(field, prop)                                   \
const char *                                                            \
sp_game_get_##field (SpGame *self)                                      \
{                                                                       \
  g_return_val_if_fail (SP_IS_GAME (self), NULL);                       \
  return self->field;                                                   \
}                                                                       \
void                                                                    \
sp_game_set_##field (SpGame     *self,                                  \
                     const char *value)                                 \
{                                                                       \
  g_return_if_fail (SP_IS_GAME (self));                                 \
  if (value != NULL && *value == '\0')                                  \
    value = NULL;                                                       \
  if (g_strcmp0 (self->field, value) == 0)                              \
    return;                                                             \
  g_free (self->field);                                                 \
  self->field = g_strdup (value);                                       \
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop]);         \
}

STRING_ACCESSORS (name, PROP_NAME)
STRING_ACCESSORS (executable, PROP_EXECUTABLE)
STRING_ACCESSORS (working_directory, PROP_WORKING_DIRECTORY)
STRING_ACCESSORS (runner, PROP_RUNNER)
STRING_ACCESSORS (home, PROP_HOME)
STRING_ACCESSORS (icon, PROP_ICON)

#undef STRING_ACCESSORS

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
  return (const char * const *) self->arguments;
}

void
sp_game_set_arguments (SpGame             *self,
                       const char * const *arguments)
{
  g_return_if_fail (SP_IS_GAME (self));
  if (strv_equal0 ((const char * const *) self->arguments, arguments))
    return;
  g_strfreev (self->arguments);
  self->arguments = arguments ? g_strdupv ((char **) arguments) : g_new0 (char *, 1);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ARGUMENTS]);
}

const char * const *
sp_game_get_environment (SpGame *self)
{
  g_return_val_if_fail (SP_IS_GAME (self), NULL);
  return (const char * const *) self->environment;
}

void
sp_game_set_environment (SpGame             *self,
                         const char * const *environment)
{
  g_return_if_fail (SP_IS_GAME (self));
  if (strv_equal0 ((const char * const *) self->environment, environment))
    return;
  g_strfreev (self->environment);
  self->environment = environment ? g_strdupv ((char **) environment) : g_new0 (char *, 1);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ENVIRONMENT]);
}

SpGameKind
sp_game_get_kind (SpGame *self)
{
  g_return_val_if_fail (SP_IS_GAME (self), SP_GAME_KIND_NATIVE);
  return self->kind;
}

void
sp_game_set_kind (SpGame     *self,
                  SpGameKind  kind)
{
  g_return_if_fail (SP_IS_GAME (self));
  if (self->kind == kind)
    return;
  self->kind = kind;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_KIND]);
}

const char *
sp_game_get_slug (SpGame *self)
{
  g_return_val_if_fail (SP_IS_GAME (self), NULL);
  return self->slug;
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

/* Sets Head and writes game.ini; on failure the old head stays. */
static gboolean
save_head (SpGame      *self,
           const char  *head,
           GError     **error)
{
  g_autofree char *old = g_strdup (self->head);

  g_free (self->head);
  self->head = g_strdup (head);
  if (!sp_game_save (self, error))
    {
      g_free (self->head);
      self->head = g_steal_pointer (&old);
      return FALSE;
    }
  if (g_strcmp0 (old, head) != 0)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HEAD]);
  return TRUE;
}

static void
insert_checkpoint (SpGame       *self,
                   SpCheckpoint *checkpoint)
{
  g_list_store_insert_sorted (self->checkpoints, checkpoint, sp_checkpoint_compare, NULL);
}

static void
remove_checkpoint (SpGame       *self,
                   SpCheckpoint *checkpoint)
{
  guint pos;

  if (g_list_store_find (self->checkpoints, checkpoint, &pos))
    g_list_store_remove (self->checkpoints, pos);
}

static SpCheckpoint *
lookup_checkpoint (SpGame      *self,
                   const char  *id,
                   GError     **error)
{
  SpCheckpoint *c = sp_game_find_checkpoint (self, id);

  if (c == NULL)
    g_set_error (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_NOT_FOUND,
                 _("The game “%s” has no checkpoint “%s” (in %s). List them with "
                   "“savepoint-cli checkpoints %s”."),
                 self->name, id ? id : "", self->checkpoints_path, self->slug);
  return c;
}

static gboolean
ensure_checkpoints_dir (const char  *path,
                        GError     **error)
{
  if (g_mkdir (path, 0755) != 0 && errno != EEXIST)
    {
      int saved = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   _("Cannot create the folder “%s”: %s"), path, g_strerror (saved));
      return FALSE;
    }
  return TRUE;
}

/* A fresh id with no .ini, archive or partial archive under @dir. */
static char *
unused_checkpoint_id (const char *dir)
{
  for (;;)
    {
      g_autofree char *id = sp_checkpoint_new_id ();
      g_autofree char *ini = g_strdup_printf ("%s/%s.ini", dir, id);
      g_autofree char *archive = g_strdup_printf ("%s/%s.tar.zst", dir, id);
      g_autofree char *partial = g_strdup_printf ("%s/%s.tar.zst.partial", dir, id);

      if (!g_file_test (ini, G_FILE_TEST_EXISTS) &&
          !g_file_test (archive, G_FILE_TEST_EXISTS) &&
          !g_file_test (partial, G_FILE_TEST_EXISTS))
        return g_steal_pointer (&id);
    }
}

/* ISO 8601 in UTC with microseconds, so that checkpoints made within one
 * second still sort in the order they were made. */
static char *
format_created (GDateTime *dt)
{
  return g_date_time_format (dt, "%Y-%m-%dT%H:%M:%S.%fZ");
}

/* Writes <dir>/<id>.ini describing an archive already in place. */
static gboolean
write_checkpoint_ini (const char           *ini_path,
                      GKeyFile             *metadata,
                      const SpArchiveStats *stats,
                      GError              **error)
{
  g_key_file_set_uint64 (metadata, CHECKPOINT_GROUP, "Files", stats->files);
  g_key_file_set_uint64 (metadata, CHECKPOINT_GROUP, "Bytes", stats->bytes);
  g_key_file_set_uint64 (metadata, CHECKPOINT_GROUP, "ArchiveSize", stats->archive_size);
  g_key_file_set_string (metadata, CHECKPOINT_GROUP, "SHA256", stats->sha256);
  return sp_key_file_save (metadata, ini_path, error);
}

/* The file work of creating a checkpoint; runs in any thread. */
static SpCheckpoint *
create_checkpoint_files (const char      *checkpoints_path,
                         const char      *upper_dir,
                         const char      *parent,
                         const char      *label,
                         gint64           play_time,
                         SpProgressFunc   progress,
                         gpointer         progress_data,
                         GCancellable    *cancellable,
                         GError         **error)
{
  g_autoptr(GKeyFile) kf = g_key_file_new ();
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *created = format_created (now);
  g_autofree char *id = NULL;
  g_autofree char *archive = NULL;
  g_autofree char *ini = NULL;
  g_autofree char *metadata = NULL;
  SpArchiveStats stats = { 0 };
  SpCheckpoint *checkpoint;

  if (!g_file_test (upper_dir, G_FILE_TEST_IS_DIR))
    {
      g_set_error (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_INVALID,
                   _("“%s” is not a folder: there is nothing to pack into a checkpoint."),
                   upper_dir);
      return NULL;
    }
  if (!ensure_checkpoints_dir (checkpoints_path, error))
    return NULL;

  id = unused_checkpoint_id (checkpoints_path);
  archive = g_strdup_printf ("%s/%s.tar.zst", checkpoints_path, id);
  ini = g_strdup_printf ("%s/%s.ini", checkpoints_path, id);

  if (parent != NULL)
    g_key_file_set_string (kf, CHECKPOINT_GROUP, "Parent", parent);
  g_key_file_set_string (kf, CHECKPOINT_GROUP, "Created", created);
  g_key_file_set_string (kf, CHECKPOINT_GROUP, "Label", label ? label : "");
  g_key_file_set_int64 (kf, CHECKPOINT_GROUP, "PlayTime", MAX (play_time, 0));
  metadata = g_key_file_to_data (kf, NULL, NULL);

  if (!sp_archive_pack (upper_dir, metadata, archive, 0, progress, progress_data,
                        cancellable, &stats, error))
    return NULL;

  if (g_cancellable_set_error_if_cancelled (cancellable, error) ||
      !write_checkpoint_ini (ini, kf, &stats, error))
    {
      g_unlink (archive);
      return NULL;
    }

  checkpoint = sp_checkpoint_load (ini, error);
  if (checkpoint == NULL)
    {
      g_unlink (ini);
      g_unlink (archive);
    }
  return checkpoint;
}

static gboolean
finish_created (SpGame        *self,
                SpCheckpoint  *checkpoint,
                gboolean       set_head_to_it,
                GError       **error)
{
  insert_checkpoint (self, checkpoint);
  if (set_head_to_it && !save_head (self, sp_checkpoint_get_id (checkpoint), error))
    {
      g_prefix_error (error, _("Checkpoint %s was saved but could not be made the current one: "),
                      sp_checkpoint_get_id (checkpoint));
      return FALSE;
    }
  return TRUE;
}

SpCheckpoint *
sp_game_create_checkpoint_sync (SpGame          *self,
                                const char      *upper_dir,
                                const char      *label,
                                gint64           play_time,
                                gboolean         set_head_to_it,
                                SpProgressFunc   progress,
                                gpointer         progress_data,
                                GCancellable    *cancellable,
                                GError         **error)
{
  g_autoptr(SpCheckpoint) checkpoint = NULL;

  g_return_val_if_fail (SP_IS_GAME (self), NULL);
  g_return_val_if_fail (upper_dir != NULL, NULL);

  if (!check_writable (self, error))
    return NULL;
  checkpoint = create_checkpoint_files (self->checkpoints_path, upper_dir, self->head, label,
                                        play_time, progress, progress_data, cancellable, error);
  if (checkpoint == NULL)
    return NULL;
  if (!finish_created (self, checkpoint, set_head_to_it, error))
    return NULL;
  return g_steal_pointer (&checkpoint);
}

typedef struct
{
  char           *checkpoints_path;
  char           *upper_dir;
  char           *parent;
  char           *label;
  gint64          play_time;
  gboolean        set_head;
  SpProgressFunc  progress;
  gpointer        progress_data;
  char           *id;
  char           *path;
} TaskData;

static void
task_data_free (TaskData *data)
{
  g_free (data->checkpoints_path);
  g_free (data->upper_dir);
  g_free (data->parent);
  g_free (data->label);
  g_free (data->id);
  g_free (data->path);
  g_free (data);
}

static void
create_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  TaskData *data = task_data;
  GError *error = NULL;
  SpCheckpoint *checkpoint;

  checkpoint = create_checkpoint_files (data->checkpoints_path, data->upper_dir, data->parent,
                                        data->label, data->play_time, data->progress,
                                        data->progress_data, cancellable, &error);
  if (checkpoint == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, checkpoint, g_object_unref);
}

static void
create_done_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  SpGame *self = SP_GAME (source);
  g_autoptr(GTask) outer = user_data;
  TaskData *data = g_task_get_task_data (G_TASK (result));
  g_autoptr(SpCheckpoint) checkpoint = NULL;
  GError *error = NULL;

  checkpoint = g_task_propagate_pointer (G_TASK (result), &error);
  if (checkpoint == NULL)
    {
      g_task_return_error (outer, error);
      return;
    }
  if (!finish_created (self, checkpoint, data->set_head, &error))
    {
      g_task_return_error (outer, error);
      return;
    }
  g_task_return_pointer (outer, g_steal_pointer (&checkpoint), g_object_unref);
}

void
sp_game_create_checkpoint_async (SpGame              *self,
                                 const char          *upper_dir,
                                 const char          *label,
                                 gint64               play_time,
                                 gboolean             set_head_to_it,
                                 SpProgressFunc       progress,
                                 gpointer             progress_data,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_autoptr(GTask) outer = NULL;
  g_autoptr(GTask) inner = NULL;
  GError *error = NULL;
  TaskData *data;

  g_return_if_fail (SP_IS_GAME (self));
  g_return_if_fail (upper_dir != NULL);

  outer = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (outer, sp_game_create_checkpoint_async);
  if (!check_writable (self, &error))
    {
      g_task_return_error (outer, error);
      return;
    }

  data = g_new0 (TaskData, 1);
  data->checkpoints_path = g_strdup (self->checkpoints_path);
  data->upper_dir = g_strdup (upper_dir);
  data->parent = g_strdup (self->head);
  data->label = g_strdup (label);
  data->play_time = play_time;
  data->set_head = set_head_to_it;
  data->progress = progress;
  data->progress_data = progress_data;

  inner = g_task_new (self, cancellable, create_done_cb, g_steal_pointer (&outer));
  /* Once the files are written, the checkpoint exists: report it even if
   * the cancellable fires after that point. */
  g_task_set_check_cancellable (inner, FALSE);
  g_task_set_task_data (inner, data, (GDestroyNotify) task_data_free);
  g_task_run_in_thread (inner, create_thread);
}

SpCheckpoint *
sp_game_create_checkpoint_finish (SpGame        *self,
                                  GAsyncResult  *result,
                                  GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

gboolean
sp_game_restore (SpGame      *self,
                 const char  *checkpoint_id,
                 GError     **error)
{
  g_return_val_if_fail (SP_IS_GAME (self), FALSE);

  if (!check_writable (self, error))
    return FALSE;
  if (checkpoint_id != NULL)
    {
      SpCheckpoint *c = lookup_checkpoint (self, checkpoint_id, error);

      if (c == NULL)
        return FALSE;
      if (!g_file_test (sp_checkpoint_get_archive_path (c), G_FILE_TEST_IS_REGULAR))
        {
          g_set_error (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_DAMAGED,
                       _("Checkpoint %s cannot be restored: its archive “%s” is missing. "
                         "Choose another checkpoint or delete this one."),
                       checkpoint_id, sp_checkpoint_get_archive_path (c));
          return FALSE;
        }
    }
  return save_head (self, checkpoint_id, error);
}

gboolean
sp_game_delete_checkpoint (SpGame      *self,
                           const char  *checkpoint_id,
                           GError     **error)
{
  g_autoptr(SpCheckpoint) c = NULL;
  SpCheckpoint *found;

  g_return_val_if_fail (SP_IS_GAME (self), FALSE);
  g_return_val_if_fail (checkpoint_id != NULL, FALSE);

  if (!check_writable (self, error))
    return FALSE;
  found = lookup_checkpoint (self, checkpoint_id, error);
  if (found == NULL)
    return FALSE;
  c = g_object_ref (found);

  /* Head first, so a crash never leaves Head naming a deleted checkpoint. */
  if (g_strcmp0 (self->head, checkpoint_id) == 0)
    {
      const char *parent = sp_checkpoint_get_parent (c);
      const char *new_head = sp_game_find_checkpoint (self, parent) ? parent : NULL;

      if (!save_head (self, new_head, error))
        return FALSE;
    }

  /* The .ini goes first: without it the archive is an invisible orphan. */
  if (g_unlink (sp_checkpoint_get_ini_path (c)) != 0 && errno != ENOENT)
    {
      int saved = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   _("Cannot delete “%s”: %s"), sp_checkpoint_get_ini_path (c),
                   g_strerror (saved));
      return FALSE;
    }
  sp_fsync_directory (self->checkpoints_path, NULL);
  remove_checkpoint (self, c);

  if (g_unlink (sp_checkpoint_get_archive_path (c)) != 0 && errno != ENOENT)
    {
      int saved = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   _("Checkpoint %s was deleted but its archive “%s” could not be removed (%s). "
                     "Remove it by hand to free the space."),
                   checkpoint_id, sp_checkpoint_get_archive_path (c), g_strerror (saved));
      return FALSE;
    }
  return TRUE;
}

gboolean
sp_game_rename_checkpoint (SpGame      *self,
                           const char  *checkpoint_id,
                           const char  *label,
                           GError     **error)
{
  g_autoptr(GKeyFile) kf = NULL;
  SpCheckpoint *c;

  g_return_val_if_fail (SP_IS_GAME (self), FALSE);
  g_return_val_if_fail (checkpoint_id != NULL, FALSE);

  if (!check_writable (self, error))
    return FALSE;
  c = lookup_checkpoint (self, checkpoint_id, error);
  if (c == NULL)
    return FALSE;
  if (label != NULL && !g_utf8_validate (label, -1, NULL))
    {
      g_set_error (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_INVALID,
                   _("The new label is not valid UTF-8 text."));
      return FALSE;
    }

  kf = sp_key_file_load (sp_checkpoint_get_ini_path (c), error);
  if (kf == NULL)
    return FALSE;
  g_key_file_set_string (kf, CHECKPOINT_GROUP, "Label", label ? label : "");
  if (!sp_key_file_save (kf, sp_checkpoint_get_ini_path (c), error))
    return FALSE;
  _sp_checkpoint_set_label (c, label);
  return TRUE;
}

/* Copies @from to a temporary file beside @to while hashing it, fsyncs and
 * renames it to @to. If @expected_sha256 is set, a mismatch is an error and
 * @to is not touched. */
static gboolean
copy_file_hashed (const char    *from,
                  const char    *to,
                  guint64        expected_size,
                  const char    *expected_sha256,
                  char         **out_sha256,
                  guint64       *out_size,
                  GCancellable  *cancellable,
                  GError       **error)
{
  g_autoptr(GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA256);
  g_autofree char *tmp = g_strdup_printf ("%s.XXXXXX", to);
  g_autofree guint8 *buf = g_malloc (1024 * 1024);
  guint64 total = 0;
  int in_fd, out_fd;
  gboolean ok = FALSE;

  in_fd = open (from, O_RDONLY | O_CLOEXEC);
  if (in_fd < 0)
    {
      int saved = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   _("Cannot open “%s”: %s"), from, g_strerror (saved));
      return FALSE;
    }
  out_fd = g_mkstemp_full (tmp, O_WRONLY | O_CLOEXEC, 0644);
  if (out_fd < 0)
    {
      int saved = errno;
      close (in_fd);
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   _("Cannot create a file beside “%s”: %s"), to, g_strerror (saved));
      return FALSE;
    }

  for (;;)
    {
      ssize_t n = read (in_fd, buf, 1024 * 1024);
      ssize_t done = 0;

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          int saved = errno;
          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                       _("Cannot read “%s”: %s"), from, g_strerror (saved));
          goto out;
        }
      if (n == 0)
        break;
      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        goto out;
      g_checksum_update (sum, buf, n);
      total += n;
      while (done < n)
        {
          ssize_t w = write (out_fd, buf + done, n - done);
          if (w < 0 && errno == EINTR)
            continue;
          if (w < 0)
            {
              int saved = errno;
              if (saved == ENOSPC || saved == EDQUOT)
                g_set_error (error, SP_IO_ERROR, SP_IO_ERROR_NO_SPACE,
                             _("Writing “%s” failed: the disk is full. Free some space and "
                               "try again."), to);
              else
                g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                             _("Cannot write “%s”: %s"), to, g_strerror (saved));
              goto out;
            }
          done += w;
        }
    }

  if (fsync (out_fd) != 0)
    {
      int saved = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   _("Cannot write “%s”: %s"), to, g_strerror (saved));
      goto out;
    }

  if (expected_sha256 != NULL &&
      (total != expected_size || g_strcmp0 (g_checksum_get_string (sum), expected_sha256) != 0))
    {
      g_set_error (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_DAMAGED,
                   _("“%s” is damaged: its size or SHA-256 does not match the checkpoint’s "
                     "record. Nothing was written to “%s”."), from, to);
      goto out;
    }
  ok = TRUE;

out:
  close (in_fd);
  if (close (out_fd) != 0 && ok)
    {
      int saved = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   _("Cannot write “%s”: %s"), to, g_strerror (saved));
      ok = FALSE;
    }
  if (ok && !sp_rename_durable (tmp, to, error))
    ok = FALSE;
  if (!ok)
    {
      g_unlink (tmp);
      return FALSE;
    }
  if (out_sha256)
    *out_sha256 = g_strdup (g_checksum_get_string (sum));
  if (out_size)
    *out_size = total;
  return TRUE;
}

static gboolean
export_files (const char    *archive_path,
              guint64        archive_size,
              const char    *sha256,
              const char    *dest_path,
              GCancellable  *cancellable,
              GError       **error)
{
  if (g_file_test (dest_path, G_FILE_TEST_IS_DIR))
    {
      g_set_error (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_INVALID,
                   _("“%s” is a folder. Give a file name to export to, such as "
                     "“%s/checkpoint.tar.zst”."), dest_path, dest_path);
      return FALSE;
    }
  return copy_file_hashed (archive_path, dest_path, archive_size, sha256, NULL, NULL,
                           cancellable, error);
}

static SpCheckpoint *
lookup_present_checkpoint (SpGame      *self,
                           const char  *checkpoint_id,
                           GError     **error)
{
  SpCheckpoint *c = lookup_checkpoint (self, checkpoint_id, error);

  if (c != NULL && !g_file_test (sp_checkpoint_get_archive_path (c), G_FILE_TEST_IS_REGULAR))
    {
      g_set_error (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_DAMAGED,
                   _("The archive “%s” of checkpoint %s is missing. Delete the checkpoint, "
                     "or put the archive back from a backup or an export."),
                   sp_checkpoint_get_archive_path (c), checkpoint_id);
      return NULL;
    }
  return c;
}

gboolean
sp_game_export_checkpoint_sync (SpGame        *self,
                                const char    *checkpoint_id,
                                const char    *dest_path,
                                GCancellable  *cancellable,
                                GError       **error)
{
  SpCheckpoint *c;

  g_return_val_if_fail (SP_IS_GAME (self), FALSE);
  g_return_val_if_fail (dest_path != NULL, FALSE);

  c = lookup_present_checkpoint (self, checkpoint_id, error);
  if (c == NULL)
    return FALSE;
  return export_files (sp_checkpoint_get_archive_path (c), sp_checkpoint_get_archive_size (c),
                       sp_checkpoint_get_sha256 (c), dest_path, cancellable, error);
}

typedef struct
{
  char    *archive_path;
  guint64  archive_size;
  char    *sha256;
  char    *dest_path;
} ExportData;

static void
export_data_free (ExportData *data)
{
  g_free (data->archive_path);
  g_free (data->sha256);
  g_free (data->dest_path);
  g_free (data);
}

static void
export_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  ExportData *data = task_data;
  GError *error = NULL;

  if (export_files (data->archive_path, data->archive_size, data->sha256, data->dest_path,
                    cancellable, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

void
sp_game_export_checkpoint_async (SpGame              *self,
                                 const char          *checkpoint_id,
                                 const char          *dest_path,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  GError *error = NULL;
  ExportData *data;
  SpCheckpoint *c;

  g_return_if_fail (SP_IS_GAME (self));
  g_return_if_fail (dest_path != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, sp_game_export_checkpoint_async);
  c = lookup_present_checkpoint (self, checkpoint_id, &error);
  if (c == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  data = g_new0 (ExportData, 1);
  data->archive_path = g_strdup (sp_checkpoint_get_archive_path (c));
  data->archive_size = sp_checkpoint_get_archive_size (c);
  data->sha256 = g_strdup (sp_checkpoint_get_sha256 (c));
  data->dest_path = g_strdup (dest_path);
  g_task_set_task_data (task, data, (GDestroyNotify) export_data_free);
  g_task_run_in_thread (task, export_thread);
}

gboolean
sp_game_export_checkpoint_finish (SpGame        *self,
                                  GAsyncResult  *result,
                                  GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Reads the whole archive through libarchive: proves the zstd stream and
 * the tar structure are intact and counts entries and content bytes. */
static gboolean
scan_archive (const char    *path,
              const char    *display_name,
              guint64       *out_files,
              guint64       *out_bytes,
              GCancellable  *cancellable,
              GError       **error)
{
  struct archive *a = archive_read_new ();
  struct archive_entry *entry;
  guint64 files = 0, bytes = 0;
  gboolean ok = FALSE;
  int r;

  archive_read_support_filter_zstd (a);
  archive_read_support_format_tar (a);
  if (archive_read_open_filename (a, path, 256 * 1024) != ARCHIVE_OK)
    {
      g_set_error (error, SP_ARCHIVE_ERROR, SP_ARCHIVE_ERROR_CORRUPT,
                   _("“%s” is not a checkpoint archive: %s"), display_name,
                   archive_error_string (a));
      goto out;
    }
  while ((r = archive_read_next_header (a, &entry)) == ARCHIVE_OK)
    {
      const char *name = archive_entry_pathname (entry);

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        goto out;
      if (name == NULL || !g_str_has_prefix (name, ".savepoint/"))
        {
          files++;
          if (archive_entry_filetype (entry) == AE_IFREG)
            bytes += archive_entry_size (entry);
        }
      if (archive_read_data_skip (a) != ARCHIVE_OK)
        {
          r = ARCHIVE_FATAL;
          break;
        }
    }
  if (r != ARCHIVE_EOF)
    {
      g_set_error (error, SP_ARCHIVE_ERROR, SP_ARCHIVE_ERROR_CORRUPT,
                   _("“%s” is damaged (truncated or corrupt): %s"), display_name,
                   archive_error_string (a) ? archive_error_string (a) : "");
      goto out;
    }
  *out_files = files;
  *out_bytes = bytes;
  ok = TRUE;

out:
  archive_read_free (a);
  return ok;
}

static SpCheckpoint *
import_files (const char    *checkpoints_path,
              const char    *source,
              GCancellable  *cancellable,
              GError       **error)
{
  g_autofree char *text = NULL;
  g_autofree char *display = NULL;
  g_autofree char *created = NULL;
  g_autofree char *id = NULL;
  g_autofree char *archive = NULL;
  g_autofree char *partial = NULL;
  g_autofree char *ini = NULL;
  g_autofree char *copied_sha = NULL;
  g_autofree char *label = NULL;
  g_autoptr(GKeyFile) meta = NULL;
  g_autoptr(GKeyFile) kf = g_key_file_new ();
  g_autoptr(GDateTime) when = NULL;
  g_autoptr(GError) local_error = NULL;
  SpArchiveStats stats = { 0 };
  struct stat st;
  guint64 free_space = 0;
  gint64 play_time = 0;
  SpCheckpoint *checkpoint;

  if (stat (source, &st) != 0 || !S_ISREG (st.st_mode))
    {
      g_set_error (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_NOT_FOUND,
                   _("“%s” is not a file. Give the path of an exported checkpoint (.tar.zst)."),
                   source);
      return NULL;
    }

  text = sp_archive_read_metadata (source, error);
  if (text == NULL)
    return NULL;
  display = g_strdup_printf ("%s:%s", source, SP_ARCHIVE_METADATA_ENTRY);
  meta = sp_key_file_load_from_data (text, -1, display, error);
  if (meta == NULL)
    return NULL;
  if (!g_key_file_has_group (meta, CHECKPOINT_GROUP))
    {
      g_set_error (error, SP_LIBRARY_ERROR, SP_LIBRARY_ERROR_MALFORMED,
                   _("%s: there is no [Checkpoint] group: “%s” is not a Savepoint checkpoint."),
                   display, source);
      return NULL;
    }
  created = sp_key_file_get_string_or_null (meta, CHECKPOINT_GROUP, "Created");
  if (created != NULL)
    when = g_date_time_new_from_iso8601 (g_strstrip (created), NULL);
  if (when == NULL)
    when = g_date_time_new_now_utc ();
  g_clear_pointer (&created, g_free);
  {
    g_autoptr(GDateTime) utc = g_date_time_to_utc (when);
    created = format_created (utc);
  }
  if (!sp_key_file_get_int64 (meta, display, CHECKPOINT_GROUP, "PlayTime", 0, &play_time, error))
    return NULL;
  label = g_key_file_get_string (meta, CHECKPOINT_GROUP, "Label", NULL);

  if (!ensure_checkpoints_dir (checkpoints_path, error))
    return NULL;
  if (sp_free_space (checkpoints_path, &free_space, NULL) && free_space < (guint64) st.st_size)
    {
      g_set_error (error, SP_IO_ERROR, SP_IO_ERROR_NO_SPACE,
                   _("Not enough free space in “%s” to import “%s” (%" G_GUINT64_FORMAT
                     " bytes needed). Free some space and try again."),
                   checkpoints_path, source, (guint64) st.st_size);
      return NULL;
    }

  id = unused_checkpoint_id (checkpoints_path);
  archive = g_strdup_printf ("%s/%s.tar.zst", checkpoints_path, id);
  partial = g_strdup_printf ("%s.partial", archive);
  ini = g_strdup_printf ("%s/%s.ini", checkpoints_path, id);

  if (!copy_file_hashed (source, partial, 0, NULL, &copied_sha, &stats.archive_size,
                         cancellable, error))
    return NULL;

  /* Read back what landed on the drive: the hash proves the copy, the scan
   * proves the archive is whole. */
  if (!sp_archive_verify (partial, stats.archive_size, copied_sha, cancellable, &local_error) ||
      !scan_archive (partial, source, &stats.files, &stats.bytes, cancellable, &local_error))
    {
      g_unlink (partial);
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  g_strlcpy (stats.sha256, copied_sha, sizeof stats.sha256);

  if (!sp_rename_durable (partial, archive, error))
    {
      g_unlink (partial);
      return NULL;
    }

  g_key_file_set_string (kf, CHECKPOINT_GROUP, "Created", created);
  g_key_file_set_string (kf, CHECKPOINT_GROUP, "Label", label ? label : "");
  g_key_file_set_int64 (kf, CHECKPOINT_GROUP, "PlayTime", MAX (play_time, 0));
  {
    g_autofree char *base = g_path_get_basename (source);
    g_key_file_set_string (kf, CHECKPOINT_GROUP, "ImportedFrom", base);
  }
  if (!write_checkpoint_ini (ini, kf, &stats, error))
    {
      g_unlink (archive);
      return NULL;
    }
  checkpoint = sp_checkpoint_load (ini, error);
  if (checkpoint == NULL)
    {
      g_unlink (ini);
      g_unlink (archive);
    }
  return checkpoint;
}

SpCheckpoint *
sp_game_import_checkpoint_sync (SpGame        *self,
                                const char    *archive_path,
                                GCancellable  *cancellable,
                                GError       **error)
{
  SpCheckpoint *checkpoint;

  g_return_val_if_fail (SP_IS_GAME (self), NULL);
  g_return_val_if_fail (archive_path != NULL, NULL);

  if (!check_writable (self, error))
    return NULL;
  checkpoint = import_files (self->checkpoints_path, archive_path, cancellable, error);
  if (checkpoint != NULL)
    insert_checkpoint (self, checkpoint);
  return checkpoint;
}

static void
import_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  TaskData *data = task_data;
  GError *error = NULL;
  SpCheckpoint *checkpoint;

  checkpoint = import_files (data->checkpoints_path, data->path, cancellable, &error);
  if (checkpoint == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, checkpoint, g_object_unref);
}

static void
import_done_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  SpGame *self = SP_GAME (source);
  g_autoptr(GTask) outer = user_data;
  SpCheckpoint *checkpoint;
  GError *error = NULL;

  checkpoint = g_task_propagate_pointer (G_TASK (result), &error);
  if (checkpoint == NULL)
    {
      g_task_return_error (outer, error);
      return;
    }
  insert_checkpoint (self, checkpoint);
  g_task_return_pointer (outer, checkpoint, g_object_unref);
}

void
sp_game_import_checkpoint_async (SpGame              *self,
                                 const char          *archive_path,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_autoptr(GTask) outer = NULL;
  g_autoptr(GTask) inner = NULL;
  GError *error = NULL;
  TaskData *data;

  g_return_if_fail (SP_IS_GAME (self));
  g_return_if_fail (archive_path != NULL);

  outer = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (outer, sp_game_import_checkpoint_async);
  if (!check_writable (self, &error))
    {
      g_task_return_error (outer, error);
      return;
    }
  data = g_new0 (TaskData, 1);
  data->checkpoints_path = g_strdup (self->checkpoints_path);
  data->path = g_strdup (archive_path);
  inner = g_task_new (self, cancellable, import_done_cb, g_steal_pointer (&outer));
  g_task_set_check_cancellable (inner, FALSE);
  g_task_set_task_data (inner, data, (GDestroyNotify) task_data_free);
  g_task_run_in_thread (inner, import_thread);
}

SpCheckpoint *
sp_game_import_checkpoint_finish (SpGame        *self,
                                  GAsyncResult  *result,
                                  GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Runs in any thread: @checkpoints holds references taken beforehand. */
static GPtrArray *
verify_list (GPtrArray     *checkpoints,
             GCancellable  *cancellable,
             GError       **error)
{
  g_autoptr(GPtrArray) problems =
    g_ptr_array_new_with_free_func ((GDestroyNotify) sp_verify_problem_free);

  for (guint i = 0; i < checkpoints->len; i++)
    {
      SpCheckpoint *c = g_ptr_array_index (checkpoints, i);
      GError *local_error = NULL;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return NULL;
      if (!sp_checkpoint_verify_sync (c, cancellable, &local_error))
        {
          SpVerifyProblem *p;

          if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
            {
              g_propagate_error (error, local_error);
              return NULL;
            }
          p = g_new0 (SpVerifyProblem, 1);
          p->checkpoint_id = g_strdup (sp_checkpoint_get_id (c));
          p->error = local_error;
          g_ptr_array_add (problems, p);
        }
    }
  return g_steal_pointer (&problems);
}

static GPtrArray *
collect_for_verify (SpGame      *self,
                    const char  *checkpoint_id,
                    GError     **error)
{
  g_autoptr(GPtrArray) list = g_ptr_array_new_with_free_func (g_object_unref);

  if (checkpoint_id != NULL)
    {
      SpCheckpoint *c = lookup_checkpoint (self, checkpoint_id, error);

      if (c == NULL)
        return NULL;
      g_ptr_array_add (list, g_object_ref (c));
    }
  else
    {
      guint n = g_list_model_get_n_items (G_LIST_MODEL (self->checkpoints));

      for (guint i = 0; i < n; i++)
        g_ptr_array_add (list, g_list_model_get_item (G_LIST_MODEL (self->checkpoints), i));
    }
  return g_steal_pointer (&list);
}

GPtrArray *
sp_game_verify_sync (SpGame        *self,
                     const char    *checkpoint_id,
                     GCancellable  *cancellable,
                     GError       **error)
{
  g_autoptr(GPtrArray) list = NULL;

  g_return_val_if_fail (SP_IS_GAME (self), NULL);

  list = collect_for_verify (self, checkpoint_id, error);
  if (list == NULL)
    return NULL;
  return verify_list (list, cancellable, error);
}

static void
verify_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  GError *error = NULL;
  GPtrArray *problems = verify_list (task_data, cancellable, &error);

  if (problems == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, problems, (GDestroyNotify) g_ptr_array_unref);
}

void
sp_game_verify_async (SpGame              *self,
                      const char          *checkpoint_id,
                      GCancellable        *cancellable,
                      GAsyncReadyCallback  callback,
                      gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  GError *error = NULL;
  GPtrArray *list;

  g_return_if_fail (SP_IS_GAME (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, sp_game_verify_async);
  list = collect_for_verify (self, checkpoint_id, &error);
  if (list == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  g_task_set_task_data (task, list, (GDestroyNotify) g_ptr_array_unref);
  g_task_run_in_thread (task, verify_thread);
}

GPtrArray *
sp_game_verify_finish (SpGame        *self,
                       GAsyncResult  *result,
                       GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
