; Inno Setup 6 script: the Windows installer of guatu (挂图作战).
; Build the one-folder app first (installer/README.md), then from the repository root:
;   "C:\Program Files (x86)\Inno Setup 6\ISCC.exe" /DAppVersion=0.1.0 installer\guatu.iss
; Output: dist\installer\guatu-setup-<version>.exe
;
; Kept deliberately simple (no [Code]): installs dist\guatu\ per user (no admin rights needed; an
; administrator may choose "all users"), adds Start-menu entries, and on uninstall removes only
; what it installed. The register, its backups and logs live in the user data folder
; (%LOCALAPPDATA%\guatu, platformdirs) and are never touched by the uninstaller.
; This file is UTF-8 with a byte-order mark: Inno Setup needs the BOM to read the Chinese names.

#ifndef AppVersion
  #define AppVersion "0.1.0"
#endif
#define AppName "挂图作战"
#define AppExe "guatu.exe"

[Setup]
; The AppId identifies the product for upgrades and uninstall: never change it.
AppId={{5B0E6C7A-3D1F-4C8E-9A57-2F6D8B41C0E3}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher=guatu
DefaultDirName={autopf}\guatu
DefaultGroupName={#AppName}
DisableProgramGroupPage=yes
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog
; Qt 6 runs on Windows 10 (1809) and later only.
MinVersion=10.0.17763
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
OutputDir=..\dist\installer
OutputBaseFilename=guatu-setup-{#AppVersion}
Compression=lzma2
SolidCompression=yes
WizardStyle=modern
UninstallDisplayName={#AppName}
UninstallDisplayIcon={app}\{#AppExe}
CloseApplications=yes
SetupLogging=yes

[Languages]
; ChineseSimplified.isl ships with newer Inno Setup releases; without it the wizard is in English.
#if FileExists(AddBackslash(CompilerPath) + "Languages\ChineseSimplified.isl")
Name: "chinesesimplified"; MessagesFile: "compiler:Languages\ChineseSimplified.isl"
#else
Name: "english"; MessagesFile: "compiler:Default.isl"
#endif

[Tasks]
Name: "desktopicon"; Description: "在桌面创建快捷方式"; Flags: unchecked

[Files]
; The whole PyInstaller one-folder build: guatu.exe (window), guatu-cli.exe (command line), _internal\.
Source: "..\dist\guatu\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{group}\{#AppName}"; Filename: "{app}\{#AppExe}"; WorkingDir: "{app}"
Name: "{group}\{#AppName}自检"; Filename: "{cmd}"; Parameters: "/k ""{app}\guatu-cli.exe"" selftest"; WorkingDir: "{app}"
Name: "{group}\卸载{#AppName}"; Filename: "{uninstallexe}"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\{#AppExe}"; WorkingDir: "{app}"; Tasks: desktopicon

[Run]
Filename: "{app}\{#AppExe}"; Description: "启动{#AppName}"; Flags: nowait postinstall skipifsilent

; No [UninstallDelete] for user data on purpose: the register (%LOCALAPPDATA%\guatu\guatu.db),
; its backups and the logs stay after uninstall, so that reinstalling or upgrading loses nothing.
